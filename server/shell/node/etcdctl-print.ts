// etcdctl v3.5's output formats: the olekukonko/tablewriter table (`-w table`), the simple
// comma-separated rows, the JSON of the gRPC responses, and go-humanize's SI byte sizes.
import type { ClusterState, EtcdMember } from '../../cluster/types.js';

export type WriteOut = 'simple' | 'table' | 'json' | 'fields';

/** go-humanize Bytes(): SI units, `2.1 GB`, `40 MB`, `512 B`. */
export function humanizeBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return value < 10 ? `${goFixed(value, 1)} ${sizes[e]}` : `${goFixed(value, 0)} ${sizes[e]}`;
}

/** Go's %.Nf: round to nearest, ties to even (JS toFixed rounds ties away from zero). */
function goFixed(value: number, digits: number): string {
  const scaled = value * 10 ** digits;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = Math.abs(diff - 0.5) < 1e-9 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return (rounded / 10 ** digits).toFixed(digits);
}

/** tablewriter with etcdctl's settings: borders, centred headers, right-aligned cells. */
export function tableWriter(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const border = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  const center = (s: string, w: number): string => {
    const gap = w - s.length;
    const left = Math.floor(gap / 2);
    return ' '.repeat(left) + s + ' '.repeat(gap - left);
  };
  const header = `|${headers.map((h, c) => ` ${center(h, widths[c]!)} `).join('|')}|\n`;
  const body = rows.map((r) => `|${widths.map((w, c) => ` ${(r[c] ?? '').padStart(w)} `).join('|')}|\n`).join('');
  return border + header + border + body + border;
}

/** A 16-hex-digit member ID as the uint64 protobuf text and JSON use. */
export function memberIdDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString(10);
}

/** The cluster ID kubeadm's single-member clusters get, derived from the member ID. */
function clusterIdDecimal(state: ClusterState): string {
  const id = state.etcd.members[0]?.id ?? '8e9e05c52164694d';
  return (BigInt(`0x${id}`) ^ 0x5a5a5a5a5a5a5a5an).toString(10);
}

/** The response header every etcd RPC returns (JSON, with uint64s as bare numbers). */
export function headerJson(state: ClusterState, memberHex: string): string {
  return `{"cluster_id":${clusterIdDecimal(state)},"member_id":${memberIdDecimal(memberHex)},"revision":${state.etcd.revision},"raft_term":${state.etcd.raftTerm}}`;
}

/** Protobuf text of an AlarmMember, as `alarm list` and the status ERRORS column show it. */
export function alarmText(a: { memberID: string; alarm: string }): string {
  return `memberID:${memberIdDecimal(a.memberID)} alarm:${a.alarm} `;
}

export interface EndpointStatus {
  endpoint: string;
  member: EtcdMember;
}

export function printEndpointStatus(state: ClusterState, statuses: EndpointStatus[], format: WriteOut): string {
  const e = state.etcd;
  const errors = e.alarms.map(alarmText);
  const rows = statuses.map(({ endpoint, member }) => [
    endpoint, member.id, e.version, humanizeBytes(e.dbSize), String(member.id === e.leaderID), String(member.isLearner),
    String(e.raftTerm), String(e.raftIndex), String(e.raftIndex), errors.join(', '),
  ]);
  switch (format) {
    case 'table':
      return tableWriter(['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS'], rows);
    case 'json': {
      const items = statuses.map(({ endpoint, member }) => {
        const errs = errors.length > 0 ? `,"errors":[${errors.map((x) => JSON.stringify(x)).join(',')}]` : '';
        return `{"Endpoint":${JSON.stringify(endpoint)},"Status":{"header":${headerJson(state, member.id)},"version":"${e.version}","dbSize":${e.dbSize},` +
          `"leader":${memberIdDecimal(e.leaderID)},"raftIndex":${e.raftIndex},"raftTerm":${e.raftTerm},"raftAppliedIndex":${e.raftIndex}${errs},"dbSizeInUse":${e.dbSizeInUse}}}`;
      });
      return `[${items.join(',')}]\n`;
    }
    case 'fields':
      return statuses.map(({ endpoint, member }) => [
        `"ClusterID" : ${clusterIdDecimal(state)}`, `"MemberID" : ${memberIdDecimal(member.id)}`, `"Revision" : ${e.revision}`, `"RaftTerm" : ${e.raftTerm}`,
        `"Version" : "${e.version}"`, `"DBSize" : ${e.dbSize}`, `"Leader" : ${memberIdDecimal(e.leaderID)}`, `"IsLearner" : ${member.isLearner}`,
        `"RaftIndex" : ${e.raftIndex}`, `"RaftTerm" : ${e.raftTerm}`, `"RaftAppliedIndex" : ${e.raftIndex}`, `"Errors" : [${errors.join(' ')}]`,
        `"Endpoint" : "${endpoint}"`, '',
      ].join('\n')).join('\n');
    case 'simple':
      return rows.map((r) => `${r.join(', ')}\n`).join('');
  }
}

export function printMemberList(state: ClusterState, format: WriteOut): string {
  const members = state.etcd.members;
  const rows = members.map((m) => [m.id, 'started', m.name, m.peerURL, m.clientURL, String(m.isLearner)]);
  switch (format) {
    case 'table':
      return tableWriter(['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'], rows);
    case 'json': {
      const list = members.map((m) => `{"ID":${memberIdDecimal(m.id)},"name":"${m.name}","peerURLs":["${m.peerURL}"],"clientURLs":["${m.clientURL}"]}`);
      return `{"header":${headerJson(state, members[0]?.id ?? state.etcd.leaderID)},"members":[${list.join(',')}]}\n`;
    }
    default:
      return rows.map((r) => `${r.join(', ')}\n`).join('');
  }
}
