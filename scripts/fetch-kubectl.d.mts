// Types of scripts/fetch-kubectl.mjs for the TypeScript that imports it (tests).
export const KUBECTL_VERSION: string;
export const KUBECTL_PATH: string;
export function fetchKubectl(): string;
