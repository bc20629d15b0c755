// `-k DIR`, shared by apply, create, replace, diff, delete and get. In a module of its own:
// apply.ts, where it was, is in an import cycle with delete.ts (through the REST API's handler),
// and the build's bundle then read it before it was defined.
import type { FlagSpec } from '../types.js';

export const KUSTOMIZE_FLAG: FlagSpec = { name: 'kustomize', short: 'k', type: 'string', usage: "Process the kustomization directory. This flag can't be used together with -f or -R." };
