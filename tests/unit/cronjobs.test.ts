// CronJobs (kubernetes pkg/controller/cronjob/cronjob_controllerv2.go): Jobs named
// `<cronjob>-<scheduled minute since the epoch>` at each scheduled time of simulated UTC, with
// suspend, concurrencyPolicy and the history limits; and `kubectl describe job` in the layout
// of kubectl pkg/describe/describe.go describeJob.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { nextRun, parseCron } from '../../server/cluster/cron.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  /** The scheduled minutes (since the Unix epoch) of the next `n` whole minutes from now. */
  const minutes = (n: number) => Array.from({ length: n }, (_, i) => Math.floor((state.epoch + state.now) / 60_000) + 1 + i);
  return { state, run, minutes };
}

const at = (iso: string) => Date.parse(iso);
const next = (schedule: string, after: string) => new Date(nextRun(parseCron(schedule), at(after))!).toISOString();

describe('cron schedules', () => {
  it('reads *, values, lists, ranges, steps, names and descriptors (robfig/cron standard parser)', () => {
    expect(next('*/15 * * * *', '2024-03-01T10:07:30Z')).toBe('2024-03-01T10:15:00.000Z');
    expect(next('5,35 9-17 * * *', '2024-03-01T17:40:00Z')).toBe('2024-03-02T09:05:00.000Z');
    expect(next('0 3 * * MON-FRI', '2024-03-01T04:00:00Z')).toBe('2024-03-04T03:00:00.000Z'); // Friday → Monday
    expect(next('30 2 1 jan,jul *', '2024-03-01T00:00:00Z')).toBe('2024-07-01T02:30:00.000Z');
    expect(next('@hourly', '2024-03-01T10:00:00Z')).toBe('2024-03-01T11:00:00.000Z');
    expect(next('@daily', '2024-12-31T23:59:59Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('@weekly', '2024-03-01T00:00:00Z')).toBe('2024-03-03T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('10/20 * * * *', '2024-03-01T10:31:00Z')).toBe('2024-03-01T10:50:00.000Z');
  });

  it('matches day-of-month OR day-of-week when both are restricted, AND when either is *', () => {
    expect(next('0 0 13 * 5', '2024-03-01T00:00:00Z')).toBe('2024-03-08T00:00:00.000Z'); // a Friday before the 13th
    expect(next('0 0 13 * *', '2024-03-01T00:00:00Z')).toBe('2024-03-13T00:00:00.000Z');
  });

  it('refuses what is not a schedule, and finds nothing for a date that never comes', () => {
    for (const bad of ['', '* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '5-1 * * * *', '*/0 * * * *', 'a * * * *', '@often', '* * * * 7 1']) {
      expect(() => parseCron(bad), bad).toThrow();
    }
    expect(nextRun(parseCron('0 0 30 2 *'), at('2024-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('the CronJob controller', () => {
  it('creates a Job at each scheduled minute, named by the minute, owned by the CronJob', () => {
    const { run, minutes } = shell();
    expect(run('kubectl create cronjob tick --image=busybox --schedule="*/1 * * * *" -- echo tock').output).toBe('cronjob.batch/tick created\n');
    const [first, second] = minutes(2);
    run('sleep 130');
    expect(run('kubectl get jobs -o name').output).toBe(`job.batch/tick-${first}\njob.batch/tick-${second}\n`);
    expect(run(`kubectl get job tick-${first} -o jsonpath="{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}"`).output).toBe('CronJob/tick');
    expect(run(`kubectl logs job/tick-${first}`).output).toBe('tock\n');
    expect(run('kubectl get cronjob tick').output).toMatch(/^NAME +SCHEDULE +TIMEZONE +SUSPEND +ACTIVE +LAST SCHEDULE +AGE\ntick +\*\/1 \* \* \* \* +<none> +False +0 +\d+s +2m1\ds\n$/);
    expect(run('kubectl get cronjob tick -o jsonpath="{.status.lastScheduleTime}"').output).toBe(new Date(second! * 60_000).toISOString().replace('.000', ''));
    expect(run('kubectl get cronjob tick -o jsonpath="{.status.lastSuccessfulTime}"').output).not.toBe('');
    expect(run('kubectl get events --field-selector involvedObject.name=tick -o jsonpath="{.items[*].reason}"').output).toMatch(/^SuccessfulCreate SawCompletedJob SuccessfulCreate SawCompletedJob$/);
    // Deleting the CronJob takes its Jobs and their pods.
    run('kubectl delete cronjob tick; sleep 3');
    expect(run('kubectl get jobs').output).toBe('No resources found in default namespace.\n');
  });

  it('keeps 3 successful and 1 failed Job (the history limits)', () => {
    const { run } = shell();
    run('kubectl create cronjob ok --image=busybox --schedule="* * * * *" -- true');
    run('kubectl create cronjob bad --image=busybox --schedule="* * * * *" --restart=Never -- false');
    run('kubectl patch cronjob bad -p \'{"spec":{"jobTemplate":{"spec":{"backoffLimit":0}}}}\'');
    run('sleep 250');
    run('sleep 60'); // 10 s past a minute: the latest Jobs have ended
    const names = run('kubectl get jobs -o name').output.trim().split('\n');
    expect(names.filter((n) => n.startsWith('job.batch/ok-'))).toHaveLength(3);
    expect(names.filter((n) => n.startsWith('job.batch/bad-'))).toHaveLength(1);
    expect(run('kubectl get events --field-selector involvedObject.name=ok -o jsonpath="{.items[*].reason}"').output).toContain('SuccessfulDelete');
  });

  it('honours suspend, and Forbid skips a time while the previous Job runs', () => {
    const { run } = shell();
    run('kubectl create cronjob idle --image=busybox --schedule="* * * * *" -- sleep 1');
    run('kubectl patch cronjob idle -p \'{"spec":{"suspend":true}}\'');
    run('kubectl create cronjob slow --image=busybox --schedule="* * * * *" -- sleep 90');
    run('kubectl patch cronjob slow -p \'{"spec":{"concurrencyPolicy":"Forbid"}}\'');
    run('sleep 125');
    expect(run('kubectl get cronjob idle --no-headers').output).toMatch(/^idle +\* \* \* \* \* +<none> +True +0 +<none> /);
    expect(run('kubectl get jobs -o name').output.trim().split('\n').filter((n) => n.includes('slow-'))).toHaveLength(1);
    expect(run('kubectl get cronjob slow --no-headers').output).toMatch(/^slow +\* \* \* \* \* +<none> +False +1 +/);
    expect(run('kubectl get events --field-selector involvedObject.name=slow -o jsonpath="{.items[*].reason}"').output).toContain('JobAlreadyActive');
  });

  it('Replace deletes the running Job for the new one; Allow lets them overlap', () => {
    const { run } = shell();
    run('kubectl create cronjob rep --image=busybox --schedule="* * * * *" -- sleep 300');
    run('kubectl patch cronjob rep -p \'{"spec":{"concurrencyPolicy":"Replace"}}\'');
    run('kubectl create cronjob all --image=busybox --schedule="* * * * *" -- sleep 300');
    run('sleep 125');
    const jobs = run('kubectl get jobs -o name').output.trim().split('\n');
    expect(jobs.filter((n) => n.includes('rep-'))).toHaveLength(1);
    expect(jobs.filter((n) => n.includes('all-'))).toHaveLength(2);
    expect(run('kubectl get cronjob all -o jsonpath="{.status.active[*].kind}"').output).toBe('Job Job');
  });
});

describe('kubectl create job --from=cronjob/NAME', () => {
  it('runs the CronJob template now, owned by it and marked manual (kubectl create_job.go)', () => {
    const { run } = shell();
    run('kubectl create cronjob backup --image=busybox --schedule="0 3 * * *" -- echo dumped');
    expect(run('kubectl create job backup-now --from=cronjob/backup').output).toBe('job.batch/backup-now created\n');
    run('sleep 5');
    expect(run('kubectl logs job/backup-now').output).toBe('dumped\n');
    expect(run('kubectl get job backup-now -o jsonpath="{.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].name}"').output).toBe('manual backup');
    expect(run('kubectl create job x --from=cronjob/nope')).toEqual({ output: 'Error from server (NotFound): cronjobs.batch "nope" not found\n', exitCode: 1 });
    expect(run('kubectl create job x --from=deployment/web').output).toBe('error: unknown object type Deployment\n');
    expect(run('kubectl create job x --from=cronjob/backup --image=busybox').output).toBe('error: --image and --from are mutually exclusive\n');
    expect(run('kubectl create job x').output).toBe('error: either --image or --from must be specified\n');
  });
});

describe('kubectl describe job', () => {
  it('prints describeJob: defaults, times, pod statuses, the template and events', () => {
    const { run } = shell();
    run('kubectl create job hello --image=busybox -- echo hi there');
    run('sleep 8');
    // A line without a tab (Command:) ends a tabwriter column block, so Image/Port align on their own.
    // No Suspend nor Backoff Limit lines: kubectl prints them from v1.30 (kubectl commit 7cd57900b), not v1.29.4.
    const out = run('kubectl describe job hello').output;
    const uid = run('kubectl get job hello -o jsonpath="{.metadata.uid}"').output;
    expect(out).toMatch(new RegExp([
      '^Name: {13}hello', 'Namespace: {8}default', `Selector: {9}batch.kubernetes.io/controller-uid=${uid}`, 'Labels: {11}<none>', 'Annotations: {6}<none>',
      'Parallelism: {6}1', 'Completions: {6}1', 'Completion Mode: {2}NonIndexed',
      'Start Time: {7}\\w{3}, \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000', 'Completed At: {5}\\w{3}, .* \\+0000', 'Duration: {9}\\ds',
      'Pods Statuses: {4}0 Active \\(0 Ready\\) / 1 Succeeded / 0 Failed', 'Pod Template:',
      `  Labels:  batch.kubernetes.io/controller-uid=${uid}`, ' {11}batch.kubernetes.io/job-name=hello', ` {11}controller-uid=${uid}`, ' {11}job-name=hello',
      '  Containers:', '   hello:', ' {4}Image: {6}busybox', ' {4}Port: {7}<none>', ' {4}Host Port: {2}<none>', ' {4}Command:', ' {6}echo', ' {6}hi', ' {6}there',
    ].join('\n')));
    expect(out).toMatch(/\nEvents:\n  Type +Reason +Age +From +Message\n  -+ +-+ +-+ +-+ +-+\n  Normal +SuccessfulCreate +\ds +job-controller +Created pod: hello-[a-z0-9]{5}\n  Normal +Completed +\ds +job-controller +Job completed\n$/);
  });

  it('shows the owning CronJob of a scheduled Job', () => {
    const { run, minutes } = shell();
    run('kubectl create cronjob nightly --image=busybox --schedule="* * * * *" -- true');
    const [first] = minutes(1);
    run('sleep 65');
    expect(run(`kubectl describe job nightly-${first}`).output).toContain('Controlled By:    CronJob/nightly\n');
  });
});
