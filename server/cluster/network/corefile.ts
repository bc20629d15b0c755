// The CoreDNS Corefile (kube-system/coredns ConfigMap): parsed into server blocks and
// plugins, with the errors CoreDNS's Caddy-based parser prints for a bad file.
import type { ClusterState } from '../types.js';
import { memoByText } from '../text-memo.js';

/** The path the kubeadm CoreDNS deployment passes with `-conf`. */
export const COREFILE_PATH = '/etc/coredns/Corefile';

export interface Directive {
  name: string;
  args: string[];
  line: number;
  /** Sub-directives inside `{ … }` after the plugin (e.g. `pods insecure`). */
  block: Directive[];
}

export interface ServerBlock {
  /** Zones with ports, e.g. `{ zone: '.', port: 53 }` for the key `.:53`. */
  zones: { zone: string; port: number }[];
  plugins: Directive[];
}

export type CorefileParse = { ok: true; blocks: ServerBlock[] } | { ok: false; error: string };

/** Plugins compiled into the stock CoreDNS image (plugin.cfg). */
const KNOWN_PLUGINS = new Set([
  'root', 'metadata', 'geoip', 'cancel', 'tls', 'timeouts', 'multisocket', 'reload', 'nsid', 'bufsize', 'bind', 'debug', 'trace',
  'ready', 'health', 'pprof', 'prometheus', 'errors', 'log', 'dnstap', 'local', 'dns64', 'acl', 'any', 'chaos', 'loadbalance',
  'tsig', 'cache', 'rewrite', 'header', 'dnssec', 'autopath', 'minimal', 'template', 'transfer', 'hosts', 'route53', 'azure',
  'clouddns', 'k8s_external', 'kubernetes', 'file', 'auto', 'secondary', 'etcd', 'loop', 'forward', 'grpc', 'erratic', 'whoami',
  'on', 'sign', 'view',
]);

interface Token {
  text: string;
  line: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '');
    for (const m of line.matchAll(/"([^"]*)"|[{}]|[^\s{}"]+/g)) out.push({ text: m[1] ?? m[0], line: i + 1 });
  });
  return out;
}

const parseError = (line: number, msg: string) => `${COREFILE_PATH}:${line} - Error during parsing: ${msg}`;

function parseZone(key: string): { zone: string; port: number } {
  const bare = key.replace(/^dns:\/\//, '');
  const m = /^(.*?)(?::(\d+))?$/.exec(bare)!;
  let zone = m[1] || '.';
  if (!zone.endsWith('.')) zone += '.';
  return { zone: zone.toLowerCase(), port: m[2] ? Number(m[2]) : 53 };
}

/**
 * Parse a Corefile; errors are the strings CoreDNS prints before exiting. Every simulated DNS
 * lookup reads it: the parse is shared per text (never mutate it).
 */
export const parseCorefile = memoByText(parseCorefileText);

function parseCorefileText(text: string): CorefileParse {
  const tokens = tokenize(text);
  const blocks: ServerBlock[] = [];
  let i = 0;
  const lastLine = text.split('\n').length;
  while (i < tokens.length) {
    const keys: Token[] = [];
    while (i < tokens.length && tokens[i]!.text !== '{') {
      if (tokens[i]!.text === '}') return { ok: false, error: parseError(tokens[i]!.line, "Unexpected '}' because no matching opening brace") };
      keys.push(tokens[i++]!);
    }
    if (i >= tokens.length) return { ok: false, error: parseError(keys.at(-1)?.line ?? lastLine, 'Unexpected EOF') };
    i++; // '{'
    const plugins: Directive[] = [];
    for (;;) {
      const t = tokens[i];
      if (!t) return { ok: false, error: parseError(lastLine, 'Unexpected EOF') };
      if (t.text === '}') { i++; break; }
      if (!KNOWN_PLUGINS.has(t.text)) return { ok: false, error: parseError(t.line, `Unknown directive '${t.text}'`) };
      const d: Directive = { name: t.text, args: [], line: t.line, block: [] };
      i++;
      while (tokens[i] && tokens[i]!.line === t.line && tokens[i]!.text !== '{' && tokens[i]!.text !== '}') d.args.push(tokens[i++]!.text);
      if (tokens[i]?.text === '{') {
        i++;
        for (;;) {
          const s = tokens[i];
          if (!s) return { ok: false, error: parseError(lastLine, 'Unexpected EOF') };
          if (s.text === '}') { i++; break; }
          const sub: Directive = { name: s.text, args: [], line: s.line, block: [] };
          i++;
          while (tokens[i] && tokens[i]!.line === s.line && tokens[i]!.text !== '}' && tokens[i]!.text !== '{') sub.args.push(tokens[i++]!.text);
          d.block.push(sub);
        }
      }
      plugins.push(d);
    }
    blocks.push({ zones: keys.map((k) => parseZone(k.text)), plugins });
  }
  for (const b of blocks) {
    const err = checkPlugins(b);
    if (err) return { ok: false, error: err };
  }
  return { ok: true, blocks };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A forward destination as an address, or undefined if it is a file (resolv.conf). */
export function forwardTarget(arg: string): { ip: string; port: number } | undefined {
  const bare = arg.replace(/^dns:\/\//, '');
  const m = /^([\d.]+)(?::(\d+))?$/.exec(bare);
  return m && IPV4.test(m[1]!) ? { ip: m[1]!, port: m[2] ? Number(m[2]) : 53 } : undefined;
}

/** Plugin-level setup errors (what each plugin's setup function refuses). */
function checkPlugins(b: ServerBlock): string | undefined {
  for (const p of b.plugins) {
    if (p.name === 'forward') {
      if (p.args.length < 2) return parseError(p.line, "Wrong argument count or unexpected line ending after 'forward'");
      for (const to of p.args.slice(1)) {
        if (!forwardTarget(to) && !to.startsWith('/') && !to.startsWith('tls://')) return `plugin/forward: not an IP address or file: "${to}"`;
      }
    }
    if (p.name === 'cache' && p.args[0] !== undefined && !/^\d+$/.test(p.args[0])) return parseError(p.line, `invalid syntax`);
  }
  const names = b.plugins.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i && ['forward', 'cache', 'health', 'ready', 'loop', 'reload', 'prometheus', 'errors', 'kubernetes'].includes(n));
  if (dup) return `plugin/${dup}: this plugin can only be used once per Server Block`;
  return undefined;
}

/** The cluster's Corefile text (kube-system/coredns, key Corefile), if the ConfigMap exists. */
export function corefileText(state: ClusterState): string | undefined {
  return state.configmaps['kube-system/coredns']?.data['Corefile'];
}

export function plugin(block: ServerBlock, name: string): Directive | undefined {
  return block.plugins.find((p) => p.name === name);
}

/** The server block that answers `fqdn` on port 53: the longest matching zone. */
export function blockFor(blocks: ServerBlock[], fqdn: string): ServerBlock | undefined {
  let best: { block: ServerBlock; len: number } | undefined;
  for (const block of blocks) {
    for (const z of block.zones) {
      if (z.port !== 53 || !inZone(fqdn, z.zone)) continue;
      if (!best || z.zone.length > best.len) best = { block, len: z.zone.length };
    }
  }
  return best?.block;
}

export function inZone(fqdn: string, zone: string): boolean {
  return zone === '.' || fqdn === zone || fqdn.endsWith(`.${zone}`);
}
