// What kube-controller-manager puts in every namespace as soon as it exists: the
// root-ca-cert-publisher's kube-root-ca.crt ConfigMap and the serviceaccounts-controller's
// `default` ServiceAccount (pkg/controller/certificates/rootcacertpublisher, serviceaccount).
// The build lays them down for the cluster's first namespaces itself (defaults.ts).
import { createObject, writeSerial } from '../api.js';
import { caPem } from '../defaults.js';
import { newMeta } from '../objects.js';
import { changedSince, type TickContext } from './context.js';

export function namespaceDefaultsController(ctx: TickContext): void {
  const { state } = ctx;
  const accounts = state.stored?.['ServiceAccount'];
  if (!accounts) return; // still building
  if (!changedSince(namespaceDefaultsController, state, `${writeSerial(state, 'Namespace')}/${writeSerial(state, 'ConfigMap')}/${writeSerial(state, 'ServiceAccount')}`)) return;
  for (const name in state.namespaces) {
    const ns = state.namespaces[name]!;
    if (ns.metadata.deletionTimestamp !== undefined) continue;
    if (!state.configmaps[`${name}/kube-root-ca.crt`]) createObject(state, 'ConfigMap', { metadata: newMeta(state, 'kube-root-ca.crt', name), data: { 'ca.crt': caPem(state) } });
    if (!accounts[`${name}/default`]) createObject(state, 'ServiceAccount', { kind: 'ServiceAccount', metadata: newMeta(state, 'default', name), fields: {} });
  }
}
