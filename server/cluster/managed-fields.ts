// metadata.managedFields: the apiserver's record of which manager wrote an object (the
// fieldmanager of k8s.io/apiserver: one entry per manager, operation and subresource, its time
// moved to the latest write). A client's writes are recorded as they happen, under the manager
// its command names (`kubectl-create`, `kubectl-client-side-apply`, `kubectl-edit`…, kubectl's
// --field-manager defaults); the entries of the controllers and kubelets that wrote the built
// world are derived when printed (shell/kubectl/managed-fields.ts), so building and ticking a
// cluster records nothing.
import { overlaps } from './server-side-apply.js';
import type { ClusterState, ManagedFieldsEntry, ObjectMeta } from './types.js';

/** Entries past this are not kept (a real object has a handful: one per manager); nor fields past MAX_FIELDS. */
const MAX_ENTRIES = 16;
const MAX_FIELDS = 64;

function addFields(entry: ManagedFieldsEntry, fields: string[][] | undefined): void {
  if (!fields) return;
  const have = (entry.fields ??= []);
  for (const f of fields) if (have.length < MAX_FIELDS && !have.some((h) => h.join('\n') === f.join('\n'))) have.push(f);
}

/** Records the write in progress under the current client's field manager, if a client writes. */
export function recordManager(state: ClusterState, meta: ObjectMeta): void {
  const who = state.fieldManager;
  // Server-side apply writes the managers' entries itself (server-side-apply.ts).
  if (!who || who.operation === 'Apply') return;
  // A narrow write takes its fields from the managers that list theirs (an applied object's
  // entries); one left with none is dropped, as the fieldmanager does.
  const taken = who.fields ?? [];
  if (taken.length > 0 && meta.managedFields) {
    meta.managedFields = meta.managedFields.flatMap((e) => {
      if (!e.fields || e.fields.length === 0 || (e.manager === who.manager && e.operation === 'Update')) return [e];
      const fields = e.fields.filter((f) => !taken.some((t) => overlaps(f, t)));
      return fields.length > 0 ? [{ ...e, fields }] : [];
    });
  }
  const entries = (meta.managedFields ??= []);
  const same = entries.find((e) => e.manager === who.manager && e.operation === 'Update' && e.subresource === who.subresource);
  if (same) {
    same.time = state.now;
    addFields(same, who.fields);
    return;
  }
  if (entries.length >= MAX_ENTRIES) return;
  const entry: ManagedFieldsEntry = { manager: who.manager, operation: 'Update', time: state.now };
  if (who.subresource) entry.subresource = who.subresource;
  addFields(entry, who.fields);
  entries.push(entry);
}

/** Runs a client's command (a kubectl line, an API request): its writes are recorded under `who`. */
export function asClient<T>(state: ClusterState, who: NonNullable<ClusterState['fieldManager']>, run: () => T): T {
  const before = state.fieldManager;
  state.fieldManager = who;
  try {
    return run();
  } finally {
    state.fieldManager = before;
  }
}

/**
 * Runs controllers (a tick inside a command's wait) without charging their writes to the
 * client, nor the errors they meet to what the apiserver answered it (api.ts answering).
 */
export function asControllers<T>(state: ClusterState, run: () => T): T {
  const who = state.fieldManager;
  const answered = state.answeredErrors;
  if (!who && !answered) return run();
  state.fieldManager = undefined;
  state.answeredErrors = undefined;
  try {
    return run();
  } finally {
    state.fieldManager = who;
    state.answeredErrors = answered;
  }
}
