// Running a scenario's timeline on a cluster: build the cluster, fire the faults due at
// time 0, then on every simulated second fire the faults whose time has come and whose
// condition holds. Which faults fired is kept in the state itself (`firedFaults`), so a
// cloned or rebuilt state carries on exactly where it was; so is which remediations were seen
// broken (`brokenRemediations`, remediation.ts). Pure and deterministic.
import { captureBaseline } from '../cluster/baseline.js';
import { createCluster } from '../cluster/build.js';
import { catchUp, tick } from '../cluster/tick.js';
import type { ClusterState } from '../cluster/types.js';
import { applyAction } from './faults.js';
import { evaluate } from './predicates.js';
import { recordBrokenRemediations } from './remediation.js';
import type { Fault, Scenario } from './schema.js';
import { seedHash } from './variant.js';

const STEP_MS = 1000;

export interface FaultOutcome {
  id: string;
  at: number;
  /** Actions that could not be applied (e.g. a write refused by etcd), with the apiserver's message. */
  errors: string[];
}

function fire(state: ClusterState, fault: Fault): FaultOutcome {
  const errors: string[] = [];
  // A fault with a history applies at its past time; the controllers catch up on the next step.
  const now = state.now;
  state.now = now - (fault.ago ?? 0) * 1000;
  for (const action of fault.actions) {
    const res = applyAction(state, action);
    if (!res.ok) errors.push(res.message);
  }
  state.now = now;
  (state.firedFaults ??= []).push({ id: fault.id, at: state.now });
  return { id: fault.id, at: state.now, errors };
}

function due(state: ClusterState, fault: Fault): boolean {
  if (fault.optional) return false;
  if (!fault.repeat && state.firedFaults?.some((f) => f.id === fault.id)) return false;
  if (state.now < (fault.at ?? 0) * 1000) return false;
  return fault.when === undefined || evaluate(state, fault.when);
}

/** Fire every timeline fault that is due now, in file order. */
export function fireDueFaults(state: ClusterState, scenario: Scenario): FaultOutcome[] {
  const out: FaultOutcome[] = [];
  for (const fault of scenario.faults) if (due(state, fault)) out.push(fire(state, fault));
  return out;
}

const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
/** Requests per minute of the in-cluster client every app Service gets when the scenario names none. */
const DEFAULT_CLIENT_RPM = 60;
/** The address such a client counts under (a documentation address, never shown). */
const DEFAULT_CLIENT_IP = '192.0.2.250';

/**
 * Every scenario carries client traffic, so the damage a session does is measured in
 * requests lost: a Service outside the system namespaces that no scenario client calls
 * gets a steady in-cluster one (counted only; it prints nothing and draws no random numbers).
 */
function addDefaultClients(state: ClusterState, scenario: Scenario): void {
  const called = new Set(state.network.traffic.map((c) => `${c.service.namespace}/${c.service.name}`));
  for (const svc of scenario.cluster.services) {
    const key = `${svc.namespace}/${svc.name}`;
    if (called.has(key) || SYSTEM_NAMESPACES.has(svc.namespace)) continue;
    state.network.traffic.push({ ip: DEFAULT_CLIENT_IP, service: { namespace: svc.namespace, name: svc.name }, via: 'cluster', requestsPerMinute: DEFAULT_CLIENT_RPM, paths: ['/'], userAgent: 'synthetic-client' });
  }
}

/** The cluster at simulated time 0 with the incident's initial faults applied. */
export function startScenario(scenario: Scenario, seed: number): ClusterState {
  // Pod suffixes, IDs and the like come from the room's seed and the scenario together, so
  // the same seed in two scenarios (or two seeds of one) never share them.
  const state = createCluster(scenario.cluster, seedHash(seed, `cluster:${scenario.id}`));
  state.firedFaults = [];
  state.brokenRemediations = [];
  addDefaultClients(state, scenario);
  const history = fireDueFaults(state, scenario).some((f) => scenario.faults.find((x) => x.id === f.id)?.ago !== undefined);
  if (history) catchUp(state);
  state.baseline = captureBaseline(state);
  recordBrokenRemediations(state, scenario);
  return state;
}

/** Advance simulated time by `ms`, second by second, firing faults as they fall due. */
export function advance(state: ClusterState, scenario: Scenario, ms: number): FaultOutcome[] {
  const out: FaultOutcome[] = [];
  let left = ms;
  while (left > 0) {
    const dt = Math.min(STEP_MS, left);
    tick(state, dt);
    out.push(...fireDueFaults(state, scenario));
    recordBrokenRemediations(state, scenario);
    left -= dt;
  }
  return out;
}

/** A host injects an optional fault now. Unknown or non-optional ids are refused. */
export function injectFault(state: ClusterState, scenario: Scenario, faultId: string): { ok: true; outcome: FaultOutcome } | { ok: false; message: string } {
  const fault = scenario.faults.find((f) => f.id === faultId);
  if (!fault) return { ok: false, message: `no fault "${faultId}" in scenario ${scenario.id}` };
  if (!fault.optional) return { ok: false, message: `fault "${faultId}" is on the timeline; only optional faults can be injected` };
  const outcome = fire(state, fault);
  recordBrokenRemediations(state, scenario);
  return { ok: true, outcome };
}

/** The faults a host may inject (id and title). */
export function injectableFaults(scenario: Scenario): { id: string; title: string }[] {
  return scenario.faults.filter((f) => f.optional).map((f) => ({ id: f.id, title: f.title }));
}
