// The server process: read config, open the database (migrating it), build the app,
// listen; on SIGTERM/SIGINT close the app, then the database. `kubedrill serve` calls
// runServer(); `tsx server/main.ts` runs it directly.
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { EmbeddedDatabaseLockedError, type EmbeddedDatabase } from './db/embedded.js';
import { MigrationError } from './db/migrate.js';
import { loadScenarioCatalog } from './rooms/scenario-runtime.js';
import type { ValidatedScenarios } from './scenarios/index.js';
import type { Fleet } from './fleet/index.js';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** Closes the app (its onClose hooks may still write), then the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * What loading each scenario file validated in full gave (scenarios/load.ts ValidatedScenario,
 * by the file's hash), so the next start neither parses nor validates an unchanged file again.
 * Kept in dist/server/ and only by the build running from there: a rebuild (a changed
 * validator) starts it afresh, and a file that changed (or a shared stack, which every file's hash
 * includes) has another hash. V8's serializer, as
 * for room snapshots: the same values back. Best effort: unreadable or read-only, nothing is
 * remembered.
 */
const VALIDATED_SCENARIOS = fileURLToPath(new URL('../../dist/server/scenarios-validated.bin', import.meta.url));
const BUILT = fileURLToPath(new URL('.', import.meta.url)) === fileURLToPath(new URL('../../dist/server/', import.meta.url));

function readValidated(): ValidatedScenarios {
  if (!BUILT) return new Map();
  try {
    const kept = deserialize(readFileSync(VALIDATED_SCENARIOS)) as unknown;
    return kept instanceof Map ? (kept as ValidatedScenarios) : new Map();
  } catch {
    return new Map();
  }
}

function writeValidated(validated: ValidatedScenarios): void {
  if (!BUILT) return;
  const scratch = `${VALIDATED_SCENARIOS}.${process.pid}`;
  try {
    writeFileSync(scratch, serialize(validated));
    renameSync(scratch, VALIDATED_SCENARIOS); // whole or not at all, whichever process writes last
  } catch {
    // no dist/ (a checkout that never built) or read-only: nothing remembered
  }
}

/** A clean shutdown takes well under a second; a stuck one (a database not answering) is cut here. */
const SHUTDOWN_TIMEOUT_MS = 2_000;
/**
 * With other processes to hand rooms to, the drain may take longer on a busy machine (30
 * rooms at load 12: over 2 s), and cutting it short is worse than waiting: the rooms not yet
 * handed over wait for their leases to run out (players paused 5–15 s). Within the 10 s
 * `docker stop` grants (Kubernetes: 30 s).
 */
const DRAIN_TIMEOUT_MS = 8_000;

export interface StartOptions {
  logger?: false;
  /** The embedded database, already starting (serve-command.ts); otherwise started here when there is no DATABASE_URL. */
  embedded?: Promise<EmbeddedDatabase>;
}

export async function startServer(config: AppConfig, options: StartOptions = {}): Promise<RunningServer> {
  const startupLog: string[] = [];
  // Kept until the app's logger exists, then passed to it (a connection lost later is logged).
  let log = (message: string): void => void startupLog.push(message);
  // Several processes: this one's incarnation, carried by each of its database connections (the fence).
  const owner = config.fleet ? randomUUID() : undefined;
  const db = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir },
    { log: (message) => log(message), ...(owner ? { owner } : {}), ...(options.embedded ? { embedded: options.embedded } : {}) },
  );
  let app: FastifyInstance;
  let fleet: Fleet | undefined;
  try {
    // Loaded only with several processes: ioredis alone is a sixth of a single process's start.
    if (config.fleet && owner) fleet = await (await import('./fleet/index.js')).openFleet(config.fleet, db.pool, owner);
    const validated = readValidated();
    const scenarios = loadScenarioCatalog(undefined, validated);
    if ([...scenarios.validated.keys()].some((hash) => !validated.has(hash))) writeValidated(scenarios.validated);
    for (const problem of scenarios.problems) startupLog.push(`scenario skipped: ${problem}`);
    app = await buildApp({
      database: db,
      logLevel: config.logLevel,
      allowedOrigins: config.allowedOrigins,
      ops: config.ops,
      trustProxyHops: config.trustProxyHops,
      ...(options.logger === false ? { logger: false } : {}),
      game: {
        catalog: scenarios.catalog, limits: config.limits, ...(fleet ? { fleet: fleet.ownership } : {}),
        ...(config.kubeApi ? {
          kubeApi: {
            port: config.kubeApi.port, host: config.host,
            ...(config.kubeApi.publicUrl ? { publicUrl: config.kubeApi.publicUrl } : {}), ...(config.kubeApi.tls ? { tls: config.kubeApi.tls } : {}),
          },
        } : {}),
      },
    });
  } catch (error) {
    await fleet?.close();
    await db.close();
    throw error;
  }
  for (const message of startupLog) app.log.info(message);
  log = (message) => app.log.warn(message);
  app.log.info(db.embedded ? `embedded database in ${db.embedded.dataDir}` : 'using DATABASE_URL');
  if (config.fleet) app.log.info(`one of several processes (REDIS_URL), reached at ${config.fleet.advertiseUrl}, incarnation ${owner}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        // With several processes, app.close first hands this process's rooms over (game-plugin).
        await app.close();
      } finally {
        await fleet?.close();
        await db.close();
      }
    })());

  try {
    const url = await app.listen({ port: config.port, host: config.host });
    return { app, db, url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Starts the server and keeps it running until SIGTERM/SIGINT, then shuts down within SHUTDOWN_TIMEOUT_MS (DRAIN_TIMEOUT_MS with other processes). */
export async function runServer(config: AppConfig, options: Pick<StartOptions, 'embedded'> = {}): Promise<void> {
  // A failed promise nobody awaited is a bug, but Node would end the process for it, and
  // with it every room: it is logged (to stderr until the logger exists) and the server carries on.
  let report = (reason: unknown): void => void process.stderr.write(`kubedrill: unhandled rejection (a bug): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
  process.on('unhandledRejection', (reason) => report(reason));
  const server = await startServer(config, options);
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    // A repeated signal (tsx and terminals often deliver Ctrl-C twice) must not cut the
    // clean shutdown short; the timeout below bounds it instead.
    if (shuttingDown) return;
    shuttingDown = true;
    server.app.log.info(`${signal} received: shutting down`);
    const timeoutMs = config.fleet ? DRAIN_TIMEOUT_MS : SHUTDOWN_TIMEOUT_MS;
    const timer = setTimeout(() => {
      server.app.log.error(`shutdown took over ${timeoutMs} ms: exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    server.close().then(
      () => {
        server.app.log.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        server.app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  report = (reason) => server.app.log.error({ err: reason }, 'unhandled rejection (a bug): the server carries on');
}

/** Expected start-up failures print one line; anything else is a bug and keeps its stack. */
export function reportStartupError(error: unknown): void {
  if (error instanceof ConfigError || error instanceof MigrationError || error instanceof EmbeddedDatabaseLockedError) {
    process.stderr.write(`kubedrill: ${error.message}\n`);
  } else if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string') {
    // Socket and PostgreSQL errors (ECONNREFUSED, 3D000 unknown database, EADDRINUSE…).
    process.stderr.write(`kubedrill: ${error.message}\n`);
  } else {
    process.stderr.write(`kubedrill: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runServer(loadConfig(process.env));
  } catch (error) {
    reportStartupError(error);
    process.exit(1);
  }
}
