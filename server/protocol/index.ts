// The protocol between the browser and the server: zod schemas (runtime checks) and the
// types inferred from them. zod only — the client bundles this folder.
export * from './errors.js';
export * from './common.js';
export * from './text.js';
export * from './events.js';
export * from './socket.js';
export * from './http.js';
