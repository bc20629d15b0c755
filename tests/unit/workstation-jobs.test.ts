// The SRE's one-terminal habit: `kubectl port-forward … &` / `kubectl proxy &`, then curl
// localhost. Formats: bash 5's job lines (`bash -i -c 'sleep 100 & jobs; kill %1'` on this
// machine: "[1] PID", "[1]+  Running                 CMD &", "[1]+  Terminated              CMD",
// "bash: kill: %3: no such job"); kubectl v1.29 pkg/cmd/portforward and client-go
// tools/portforward ("Forwarding from 127.0.0.1:8080 -> 80" then "[::1]", the Service's port
// translated to the pod's, "Handling connection for 8080", the pod-not-running and
// address-in-use errors); pkg/cmd/proxy ("Starting to serve on 127.0.0.1:8001"); curl 8's
// "(7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server".
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { continueStream, interruptStream, newSession, runLine } from '../../server/shell/index.js';

function workstation() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return { state, session, sh: (line: string) => runLine(state, session, line, { interactive: true }) };
}

describe('kubectl port-forward and proxy as background jobs', () => {
  it('forwards a Service port to a pod (the targetPort shown), curl reaches it, jobs and kill manage it', () => {
    const { sh, session } = workstation();
    const started = sh('kubectl port-forward svc/web 8080:80 &');
    expect(started.output).toMatch(/^\[1\] (\d+)\nForwarding from 127\.0\.0\.1:8080 -> 80\nForwarding from \[::1\]:8080 -> 80\n$/);
    const pid = /^\[1\] (\d+)/.exec(started.output)![1]!;
    expect(started.streaming).toBeUndefined();
    expect(sh('echo $!').output).toBe(`${pid}\n`);
    expect(sh('jobs').output).toBe('[1]+  Running                 kubectl port-forward svc/web 8080:80 &\n');
    const page = sh('curl -s localhost:8080/');
    expect(page.output).toMatch(/^Handling connection for 8080\n<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!<\/title>/);
    // A second forward on the same port: client-go's listener errors.
    expect(sh('kubectl port-forward svc/web 8080:80').output).toBe(
      'Unable to listen on port 8080: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:8080: bind: address already in use unable to create listener: Error listen tcp6 [::1]:8080: bind: address already in use]\n' +
      'error: unable to listen on any of the requested ports: [{8080 80}]\n');
    expect(sh('kill %1').output).toBe('[1]+  Terminated              kubectl port-forward svc/web 8080:80\n');
    expect(sh('jobs').output).toBe('');
    expect(sh('curl -sS localhost:8080')).toMatchObject({ exitCode: 7, output: "curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server\n" });
    expect(sh('kill %1').output).toBe('bash: kill: %1: no such job\n');
    expect(session.jobs).toBeUndefined();
  });

  it('ignores NetworkPolicy, and refuses a pod that is not running with kubectl\'s error', () => {
    const { sh } = workstation();
    sh(`kubectl apply -f - <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: default }
spec: { podSelector: {}, policyTypes: [Ingress] }
EOF`);
    const pod = sh('kubectl get pods -l app=web -o name | head -1').output.trim();
    sh(`kubectl port-forward ${pod} 9000:80 &`);
    expect(sh('curl -s -o /dev/null -w "%{http_code}" localhost:9000')).toMatchObject({ output: 'Handling connection for 9000\n200' });
    sh('kubectl run pending --image=nginx --overrides=\'{"spec":{"nodeSelector":{"nope":"x"}}}\'');
    expect(sh('kubectl port-forward pod/pending 9001:80').output).toBe('error: unable to forward port because pod is not running. Current status=Pending\n');
    expect(sh('kubectl port-forward svc/kubernetes 9002:443').output).toBe("error: cannot attach to *v1.Service: invalid service 'kubernetes': Service is defined without a selector\n");
    expect(sh('kubectl port-forward svc/web 9003:81').output).toBe('error: Service web does not have a service port 81\n');
    expect(sh('kubectl port-forward svc/web').output).toBe("error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n");
  });

  it('ends a forward whose pod went away, with bash\'s notice before the next prompt', () => {
    const { sh } = workstation();
    const pod = sh('kubectl get pods -l app=web -o name | head -1').output.trim();
    sh(`kubectl port-forward ${pod} 9000:80 &`);
    expect(sh(`kubectl delete ${pod} --grace-period=0 --force`).output).toMatch(new RegExp(`error: lost connection to pod\n\\[1\\]\\+  Exit 1                  kubectl port-forward ${pod} 9000:80\n$`));
    expect(sh('jobs').output).toBe('');
  });

  it('kubectl proxy serves the API with the kubeconfig\'s credentials', () => {
    const { sh } = workstation();
    expect(sh('kubectl proxy &').output).toMatch(/^\[1\] \d+\nStarting to serve on 127\.0\.0\.1:8001\n$/);
    const pods = JSON.parse(sh('curl -s localhost:8001/api/v1/namespaces/default/pods').output) as { kind: string; items: { metadata: { name: string } }[] };
    expect(pods.kind).toBe('PodList');
    expect(pods.items.length).toBeGreaterThan(0);
    // The apiserver indents JSON for curl (isPrettyPrint) and adds no newline.
    expect(sh('curl -s localhost:8001/api/v1/namespaces/default/pods/nope').output).toBe('{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "pods \\"nope\\" not found",\n  "reason": "NotFound",\n  "details": {\n    "name": "nope",\n    "kind": "pods"\n  },\n  "code": 404\n}');
    expect(sh('curl -s localhost:8001/readyz').output).toBe('ok');
    expect(sh('kill $!').output).toBe('[1]+  Terminated              kubectl proxy\n');
  });

  it('runs in the foreground as a stream until Ctrl-C', () => {
    const { sh, state, session } = workstation();
    const r = sh('kubectl port-forward deploy/api 9000:80');
    expect(r).toMatchObject({ streaming: true, output: 'Forwarding from 127.0.0.1:9000 -> 80\nForwarding from [::1]:9000 -> 80\n' });
    tick(state, 5000);
    expect(continueStream(state, session)).toMatchObject({ output: '', ended: false });
    expect(interruptStream(session)).toBe('^C\n');
  });
});
