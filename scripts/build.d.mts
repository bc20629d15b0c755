// Types of scripts/build.mjs for the TypeScript that imports it (tests, benches).
export type BuildPart = 'server' | 'client' | 'template';
export function build(parts?: BuildPart[], options?: { ifStale?: boolean }): Promise<BuildPart[]>;
