// The kube-controller-manager's csrsigning controller (pkg/controller/certificates/signer):
// an approved CertificateSigningRequest for one of the built-in signers gets its certificate
// in status.certificate, which `kubectl get csr` shows as "Approved,Issued". The certificate
// is a PEM block of random bytes from the room's RNG: nothing here verifies signatures.
import { mutateObject } from '../api.js';
import { jsonObject } from '../json.js';
import { nextUint32 } from '../rng.js';
import type { JsonValue } from '../types.js';
import type { TickContext } from './context.js';

const SIGNERS = new Set([
  'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown',
]);

const has = (conditions: JsonValue | undefined, type: string): boolean =>
  Array.isArray(conditions) && conditions.some((c) => jsonObject(c).type === type);

export function csrSigningController(ctx: TickContext): void {
  const { state } = ctx;
  for (const csr of Object.values(state.stored?.CertificateSigningRequest ?? {})) {
    const status = jsonObject(csr.fields.status);
    if (status.certificate !== undefined || !has(status.conditions, 'Approved') || has(status.conditions, 'Denied') || has(status.conditions, 'Failed')) continue;
    if (!SIGNERS.has(String(jsonObject(csr.fields.spec).signerName ?? ''))) continue;
    const der = Buffer.alloc(780);
    for (let i = 0; i < der.length; i++) der[i] = nextUint32(state.rng) & 0xff;
    const body = der.toString('base64').replace(/.{64}/g, '$&\n');
    const pem = `-----BEGIN CERTIFICATE-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
    mutateObject(state, 'CertificateSigningRequest', csr.metadata.name, (o) => {
      o.fields.status = { ...jsonObject(o.fields.status), certificate: Buffer.from(pem).toString('base64') };
    });
  }
}
