// Types of scripts/build-state.mjs for the TypeScript that imports it (tests, benches).
import type { BuildPart } from './build.mjs';
export const ROOT: string;
export const DIST: string;
export const SERVER_ENTRY: string;
export const SERVER_STAMP: string;
export const CLIENT_INDEX: string;
export const PGLITE_TEMPLATE: string;
export function isFresh(part: BuildPart): boolean;
