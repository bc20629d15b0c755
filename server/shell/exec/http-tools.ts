// curl and (busybox) wget inside a pod, over the simulated network. curl's flags and output
// are shared with curl on a node (shell/node/network/curl.ts), which sends its own requests.
import type { ClusterState, Pod } from '../../cluster/types.js';
import { httpRequest, parseUrl, type HttpOptions, type HttpResponse, type HttpResult } from '../../cluster/network/http.js';
import type { CommandResult } from '../types.js';
import type { Timed } from './dns-tools.js';

const PROGRESS_HEAD = '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n';

/** The progress meter curl prints on stderr when its output is not a terminal. */
function progress(bytes: number): string {
  if (bytes === 0) return `${PROGRESS_HEAD}  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0`;
  const size = String(bytes).padStart(5);
  return `${PROGRESS_HEAD}100 ${size}  100 ${size}    0     0   299k      0 --:--:-- --:--:-- --:--:--  600k\n`;
}

const statusLine = (r: HttpResponse) => `HTTP/1.1 ${r.status} ${r.reason}`;

/** Sends one request for curl: from a pod, or from a node's host network. */
/** insecure: -k; clientCert: --cert's file (etcd wants one); caCert: --cacert's file. */
export type HttpClient = (url: string, opts: HttpOptions & { insecure: boolean; clientCert?: string; caCert?: string }) => HttpResult;

export function curl(state: ClusterState, pod: Pod, argv: string[]): Timed {
  let elapsedMs = 0;
  const result = curlWith((url, opts) => httpRequest(state, pod, url, { ...opts, resolved: (ms) => (elapsedMs = ms) }), argv);
  return { ...result, elapsedMs };
}

export function curlWith(request: HttpClient, argv: string[]): CommandResult {
  let insecure = false;
  let clientCert: string | undefined;
  let caCert: string | undefined;
  let silent = false;
  let showErrors = false;
  let verbose = false;
  let head = false;
  let failOnError = false;
  let output: string | undefined;
  let writeOut: string | undefined;
  let maxTime: number | undefined;
  let url: string | undefined;
  let hostHeader: string | undefined;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-o' || a === '--output') output = args[++i];
    else if (a === '-H' || a === '--header') {
      const m = /^host:\s*(\S+)\s*$/i.exec(args[++i] ?? '');
      if (m) hostHeader = m[1];
    }
    else if (a === '-w' || a === '--write-out') writeOut = args[++i];
    else if (a === '-m' || a === '--max-time' || a === '--connect-timeout') maxTime = Number(args[++i]);
    else if (a === '--cert' || a === '-E') clientCert = args[++i];
    else if (a === '--cacert') caCert = args[++i];
    else if (['-A', '-X', '-d', '-u', '--key', '--header', '--request', '--data', '--user-agent', '--user'].includes(a)) i++;
    else if (a.startsWith('--') ) {
      if (a === '--silent') silent = true;
      else if (a === '--verbose') verbose = true;
      else if (a === '--head') head = true;
      else if (a === '--fail') failOnError = true;
      else if (a === '--show-error') showErrors = true;
      else if (a === '--insecure') insecure = true;
    } else if (a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) {
        if (f === 's') silent = true;
        else if (f === 'S') showErrors = true;
        else if (f === 'v') verbose = true;
        else if (f === 'I') head = true;
        else if (f === 'f') failOnError = true;
        else if (f === 'k') insecure = true;
      }
    } else url = a;
  }
  if (!url) return { stdout: '', stderr: "curl: try 'curl --help' or 'curl --manual' for more information\n", exitCode: 2 };
  const u = parseUrl(url);
  const res = request(url, { method: head ? 'HEAD' : 'GET', insecure, ...(clientCert !== undefined ? { clientCert } : {}), ...(caCert !== undefined ? { caCert } : {}), ...(hostHeader ? { host: hostHeader } : {}), ...(maxTime !== undefined && !Number.isNaN(maxTime) ? { maxTimeSeconds: maxTime } : {}) });
  let stderr = '';
  if (verbose && u && res.ok) stderr += `*   Trying ${res.response.remoteIP}:${u.port}...\n* Connected to ${u.host} (${res.response.remoteIP}) port ${u.port}\n> ${head ? 'HEAD' : 'GET'} ${u.path} HTTP/1.1\n> Host: ${hostHeader ?? `${u.host}${u.port === 80 ? '' : `:${u.port}`}`}\n> User-Agent: curl/8.5.0\n> Accept: */*\n> \n`;
  if (!res.ok) {
    if (!silent) stderr += progress(0);
    if (!silent || showErrors) stderr += `curl: (${res.code}) ${res.message}\n`;
    return { stdout: '', stderr, exitCode: res.code };
  }
  const r = res.response;
  const headerText = `${statusLine(r)}\r\n${r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  if (verbose) stderr += `< ${statusLine(r)}\n${r.headers.map(([k, v]) => `< ${k}: ${v}\n`).join('')}< \n`;
  if (failOnError && r.status >= 400) {
    if (!silent || showErrors) stderr += `curl: (22) The requested URL returned error: ${r.status}\n`;
    return { stdout: '', stderr, exitCode: 22 };
  }
  let stdout = head ? headerText : r.body;
  if (output !== undefined) stdout = '';
  if (writeOut !== undefined) stdout += writeOut.replaceAll('%{http_code}', String(r.status)).replaceAll('%{remote_ip}', r.remoteIP).replaceAll('\\n', '\n');
  if (!silent && !verbose && output !== undefined) stderr = progress(r.body.length) + stderr;
  if (verbose) stderr += `* Connection #0 to host ${u?.host ?? ''} left intact\n`;
  return { stdout, stderr, exitCode: 0 };
}

/** busybox wget: `wget -qO- URL`, `wget -O- URL`, `wget --spider URL`, `-T SECONDS`. */
export function wget(state: ClusterState, pod: Pod, argv: string[]): Timed {
  let elapsedMs = 0;
  const result = wgetWith(state, pod, argv, (ms) => (elapsedMs = ms));
  return { ...result, elapsedMs };
}

function wgetWith(state: ClusterState, pod: Pod, argv: string[], resolved: (ms: number) => void): CommandResult {
  let quiet = false;
  let toStdout = false;
  let spider = false;
  let timeout: number | undefined;
  let url: string | undefined;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-T') timeout = Number(args[++i]);
    else if (a === '-O') toStdout = args[++i] === '-';
    else if (a === '--spider') spider = true;
    else if (a.startsWith('-') && a.length > 1 && !a.startsWith('--')) {
      if (a.includes('q')) quiet = true;
      if (a.endsWith('O-')) toStdout = true;
    } else if (!a.startsWith('-')) url = a;
  }
  if (!url) return { stdout: '', stderr: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n', exitCode: 1 };
  const u = parseUrl(url);
  const res = httpRequest(state, pod, url, { userAgent: 'Wget', resolved, ...(timeout !== undefined ? { maxTimeSeconds: timeout } : {}) });
  let stderr = '';
  if (!res.ok) {
    const msg = res.code === 6 ? `wget: bad address '${u?.host ?? url}'` : res.code === 7 ? `wget: can't connect to remote host (${u?.host ?? url}): Connection refused` : 'wget: download timed out';
    return { stdout: '', stderr: `${quiet ? '' : `Connecting to ${u?.host ?? url}${u ? ` (${u.host}:${u.port})` : ''}\n`}${msg}\n`, exitCode: 1 };
  }
  const r = res.response;
  if (!quiet) stderr += `Connecting to ${u!.host} (${r.remoteIP}:${u!.port})\n`;
  if (r.status >= 400) return { stdout: '', stderr: `${stderr}wget: server returned error: ${statusLine(r)}\n`, exitCode: 1 };
  if (spider) return { stdout: '', stderr: quiet ? '' : `${stderr}remote file exists\n`, exitCode: 0 };
  if (!toStdout) return { stdout: '', stderr: quiet ? '' : `${stderr}saving to 'index.html'\nindex.html           100% |********************************|   ${r.body.length}  0:00:00 ETA\n'index.html' saved\n`, exitCode: 0 };
  if (!quiet) stderr += `writing to stdout\n`;
  const tail = quiet ? '' : `-                    100% |********************************|   ${r.body.length}  0:00:00 ETA\nwritten to stdout\n`;
  return { stdout: r.body, stderr: stderr + tail, exitCode: 0 };
}
