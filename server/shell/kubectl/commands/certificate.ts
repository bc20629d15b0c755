// `kubectl certificate approve|deny NAME…` (certificates.go): adds the Approved or Denied
// condition through the approval subresource unless it is there already; a CSR already given
// the opposite answer is refused. The csrsigning controller then issues approved ones.
import { mutateObject, resourceName } from '../../../cluster/api.js';
import { jsonObject } from '../../../cluster/json.js';
import { rfc3339 } from '../age.js';
import type { CommandResult } from '../../types.js';
import { fail } from '../../types.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';
import { apiFail, collect } from './write-util.js';

const ANSWERS = {
  approve: { type: 'Approved', opposite: 'Denied', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.', done: 'approved' },
  deny: { type: 'Denied', opposite: 'Approved', reason: 'KubectlDeny', message: 'This CSR was denied by kubectl certificate deny.', done: 'denied' },
} as const;

function answer(ctx: KubectlContext, verb: keyof typeof ANSWERS, names: string[]): CommandResult {
  if (names.length === 0) return fail(`error: one or more CSRs must be specified as <name> or -f <filename>\nSee 'kubectl certificate ${verb} -h' for help and examples\n`);
  const a = ANSWERS[verb];
  const results = names.map((name): CommandResult => {
    const csr = ctx.state.stored?.CertificateSigningRequest?.[name];
    if (!csr) return fail(`Error from server (NotFound): ${resourceName('CertificateSigningRequest')} "${name}" not found\n`);
    const rawConditions = jsonObject(csr.fields.status).conditions;
    const conditions = (Array.isArray(rawConditions) ? rawConditions : []).map(jsonObject);
    if (conditions.some((c) => c.type === a.opposite)) return fail(`error: certificate signing request "${name}" is already ${a.opposite}\n`);
    // --force sends the request again; an answer already given is not added twice.
    if (!conditions.some((c) => c.type === a.type)) {
      const at = rfc3339(ctx.state, ctx.state.now);
      const r = mutateObject(ctx.state, 'CertificateSigningRequest', name, (o) => {
        const status = jsonObject(o.fields.status);
        const kept = Array.isArray(status.conditions) ? status.conditions : [];
        o.fields.status = { ...status, conditions: [...kept, { type: a.type, status: 'True', reason: a.reason, message: a.message, lastUpdateTime: at, lastTransitionTime: at }] };
      });
      if (!r.ok) return apiFail(r.error);
    }
    return { stdout: `certificatesigningrequest.certificates.k8s.io/${name} ${a.done}\n`, stderr: '', exitCode: 0 };
  });
  return collect(results);
}

export const certificateCommand: KubectlSubcommand = {
  name: 'certificate',
  short: 'Modify certificate resources',
  usage: 'kubectl certificate SUBCOMMAND',
  completions: ['approve', 'deny'],
  flags: [{ name: 'force', type: 'bool', usage: 'Update the CSR even if it is already approved.' }],
  run: (ctx, args) => {
    const [verb, ...names] = args;
    if (verb === 'approve' || verb === 'deny') return answer(ctx, verb, names);
    if (verb === undefined) return fail('error: must specify one of approve, deny\n');
    return fail(`error: unknown command "${verb}" for "kubectl certificate"\nRun 'kubectl certificate --help' for usage.\n`);
  },
};
