// Facts of the world a tool can show a player. Observation (scoring/observation.ts) is a
// property of the world, not of the command text: each tool tags its output with the facts
// it printed and the exact text that shows each one; a fact counts as observed when that
// text survives the whole pipeline to the player's terminal (a grep that drops the line
// drops the fact; echo and printf show none).
//
// One shape for every source, so a scenario selects facts with one small language
// (scenarios/facts.ts):
//   object    a field of an API object as kubectl printed it (get in any output format, describe)
//             kind: Node, name: worker-2, field: spec.taints, value: maintenance=kernel-upgrade:NoSchedule
//   event     an event kubectl printed (get events, kubectl events, describe's Events)
//             kind/name: the involved object, field: the reason, value: the message
//   log       a line of a container's log (kubectl logs, crictl logs)
//             namespace/name: the pod, field: the container, value: the line (or a part a tool parses out)
//   etcd      what etcdctl reported: field alarms | status | health, value: e.g. alarm:NOSPACE
//   host      a node's own state: field disk | unit | file | journal | process, name: the mount
//             point, unit, path…, node: the node, value: what was shown
//   nat       a node's packet rules or connection tracking: field rules | conntrack, value: the rule
//   api       what the API server answered: field error, value: the message
//   dns       a name lookup run from a pod: field lookup, name: the name, value: the answer or error
//   traffic   a request answered or failed as a tool saw it (curl): field response, value: status

export const FACT_SOURCES = ['object', 'event', 'log', 'etcd', 'host', 'nat', 'api', 'dns', 'traffic'] as const;
export type FactSource = (typeof FACT_SOURCES)[number];

export interface Fact {
  source: FactSource;
  /** The node it is about (host, nat, and objects bound to a node when known). */
  node?: string;
  /** API kind (Node, Pod, Service, ConfigMap…) of the object, or of an event's involved object. */
  kind?: string;
  namespace?: string;
  /** Object name, unit, file path or mount point. */
  name?: string;
  /** Which part: a field path (spec.taints, metadata.labels.pool), an event's reason, a container… */
  field: string;
  /** The value shown, as text. */
  value: string;
}

/** A fact and the text in a tool's output that shows it (a substring of that output). */
export interface Reveal {
  fact: Fact;
  text: string;
}

/**
 * What a tool may tag. Tools ask `wants` with what they know before building facts (the
 * value last), so a session that scores nothing, or a listing of 15,000 pods whose fields
 * no evidence names, pays nearly nothing.
 */
export interface FactSink {
  wants(partial: PartialFact): boolean;
  /** The fields that may matter for facts like this one; undefined = any field. */
  fields(partial: PartialFact): readonly string[] | undefined;
  /** Where objects with facts like this one may be; undefined = anywhere. */
  scopes(partial: PartialFact): readonly FactScope[] | undefined;
  add(reveal: Reveal): void;
}

/**
 * Where in a sorted listing (by namespace, then name) the objects an evidence item names
 * are: a namespace and the name or its prefix. A tool listing 15,000 pods finds those
 * few rows by binary search instead of asking about every row.
 */
export interface FactScope {
  namespace: string;
  name?: string;
  namePrefix?: string;
}

/** What a tool knows of a fact before it builds the value. */
export type PartialFact = Omit<Partial<Fact>, 'value'> & Pick<Fact, 'source'>;

/** Which facts matter (a scenario's evidence selectors). */
export interface FactInterest {
  /** Could a fact with these attributes (value unknown yet) matter? */
  wants(partial: PartialFact): boolean;
  /** The fields that may matter for facts like this one; undefined = any field. */
  fields(partial: PartialFact): readonly string[] | undefined;
  /** Where objects with facts like this one may be; undefined = anywhere. */
  scopes(partial: PartialFact): readonly FactScope[] | undefined;
  /** Does this complete fact matter? */
  keeps(fact: Fact): boolean;
}

/** A stable key for a fact, to count each once. */
export const factKey = (f: Fact): string =>
  [f.source, f.node ?? '', f.kind ?? '', f.namespace ?? '', f.name ?? '', f.field, f.value].join('\u0000');
