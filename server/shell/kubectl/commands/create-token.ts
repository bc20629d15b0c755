// `kubectl create token SA`: a TokenRequest for a ServiceAccount (create_token.go). The token
// is a JWT shaped as the apiserver issues it (RS256 header with a key id; the claims a bound
// service-account token carries), so `cut -d. -f2 | base64 -d` shows what a real one shows.
// Its signature is random bytes from the room's RNG: nothing verifies it.
import { getObject } from '../../../cluster/api.js';
import { parseDuration } from '../../../cluster/quantity.js';
import { nextUint32, seedRng, sideRng } from '../../../cluster/rng.js';
import type { RngState } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import type { FlagSpec, KubectlContext, ParsedFlags } from '../types.js';

export const CREATE_TOKEN_FLAGS: FlagSpec[] = [
  { name: 'duration', type: 'string', default: '0s', usage: 'Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.' },
  { name: 'audience', type: 'stringArray', usage: 'Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.' },
];

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The apiserver's default for a TokenRequest without expirationSeconds, and its floor. */
const DEFAULT_SECONDS = 3600;
const MIN_SECONDS = 600;

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

function randomBytes(rng: RngState, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = nextUint32(rng) & 0xff;
  return out;
}

export function createToken(ctx: KubectlContext, args: string[], flags: ParsedFlags): CommandResult {
  const name = args[0];
  if (name === undefined || args.length > 1) return fail(`error: exactly one NAME is required, got ${args.length}\nSee 'kubectl create token -h' for help and examples\n`);
  const durationText = flags.string('duration') ?? '0s';
  const duration = durationText === '0' ? 0 : parseDuration(durationText);
  if (duration === null) return fail(`error: invalid argument "${durationText}" for "--duration" flag: time: invalid duration "${durationText}"\nSee 'kubectl create token --help' for usage.\n`);
  const seconds = duration === 0 ? DEFAULT_SECONDS : Math.floor(duration / 1000);
  const failed = (message: string) => fail(`error: failed to create token: ${message}\n`);
  if (seconds < MIN_SECONDS) {
    return failed(`TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than 10 minutes`);
  }
  const sa = getObject(ctx.state, 'ServiceAccount', `${ctx.namespace}/${name}`);
  if (!sa) return failed(`serviceaccounts "${name}" not found`);
  const now = Math.floor((ctx.state.epoch + ctx.state.now) / 1000);
  const audiences = flags.all('audience');
  // The key id is the cluster's (one per signing key); the signature differs per token.
  const header = { alg: 'RS256', kid: base64url(randomBytes(sideRng(seedRng(ctx.state.epoch % 2 ** 32), 'sa-signing-key'), 32)) };
  const claims = {
    aud: audiences.length > 0 ? audiences : [ISSUER],
    exp: now + seconds,
    iat: now,
    iss: ISSUER,
    'kubernetes.io': { namespace: ctx.namespace, serviceaccount: { name, uid: sa.metadata.uid } },
    nbf: now,
    sub: `system:serviceaccount:${ctx.namespace}:${name}`,
  };
  const encode = (o: object) => base64url(Buffer.from(JSON.stringify(o)));
  return ok(`${encode(header)}.${encode(claims)}.${base64url(randomBytes(sideRng(ctx.state.rng, `token@${now}:${name}`), 256))}\n`);
}
