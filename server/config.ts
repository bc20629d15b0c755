// Server configuration from environment variables, checked once at start-up.
// A bad value stops the server with one message naming every bad variable, e.g.
//   Invalid configuration: PORT: must be an integer between 1 and 65535 (got "abc")
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** At most `perIp` from one address and `total` from all addresses together, per minute. */
export interface RateLimit {
  perIp: number;
  total: number;
}

/** What one process lets strangers on the internet do (see README, Configuration). */
export interface EdgeLimits {
  /** Open (not ended) rooms in memory; creating one more answers 503. */
  maxOpenRooms: number;
  maxSpectatorsPerRoom: number;
  /** POST /api/rooms and /api/solo. */
  roomCreation: RateLimit;
  /** Joins with a code that names no room (guessing). */
  badJoinCodes: RateLimit;
  spectatorJoins: RateLimit;
  /** Replays and reports, which read a room's whole log: per address per minute, and at once in the process (503 beyond). */
  logReads: { perIp: number; concurrent: number };
  /** Socket resumes (room:resume, which reads the log since the client's seq) in flight at once per address, until their answer has been sent (`unavailable` beyond). */
  resumesPerIp: number;
  /** Bytes one connection may have queued and unsent (a client that does not read); over it the connection is cut. */
  socketBacklogBytes: number;
  /** Longest a resume's answer may stay unsent (its address's place held) before its connection is cut (ms). */
  resumeSentMs: number;
}

export const DEFAULT_LIMITS: EdgeLimits = {
  maxOpenRooms: 300,
  maxSpectatorsPerRoom: 25,
  roomCreation: { perIp: 30, total: 600 },
  badJoinCodes: { perIp: 20, total: 300 },
  spectatorJoins: { perIp: 30, total: 600 },
  logReads: { perIp: 30, concurrent: 4 },
  resumesPerIp: 4,
  // A resume from 0 answers up to 1 MB of outputs per terminal; a player's room rarely queues 8 MiB for a reading client.
  socketBacklogBytes: 8 * 1024 * 1024,
  // A client answering pings without reading would otherwise hold its address's place for good.
  // Not shorter: progress inside one big frame cannot be seen (Node counts a write as queued
  // until all of it left), and a phone must take a big answer (10 MB: ~170 KB/s) in time.
  resumeSentMs: 60_000,
};

/** Who may read /metrics and /docs: everyone, nobody (not served), or holders of KUBEDRILL_OPS_TOKEN. */
export const OPS_ACCESS = ['public', 'off', 'token'] as const;
export type OpsAccess = (typeof OPS_ACCESS)[number];

export interface OpsRoutes {
  metrics: OpsAccess;
  docs: OpsAccess;
  /** The bearer token for `token` access. */
  token: string | undefined;
}

export interface AppConfig {
  port: number;
  /** 127.0.0.1 by default so a fresh clone is not reachable from the network; set HOST=0.0.0.0 to expose it. */
  host: string;
  /** External PostgreSQL; when absent the server runs an embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Absolute folder for local state (the embedded database lives in `<dataDir>/pgdata`). */
  dataDir: string;
  logLevel: LogLevel;
  /** Web origins besides the server's own that may use the API and sockets (e.g. https://drill.example.com). */
  allowedOrigins: string[];
  limits: EdgeLimits;
  ops: OpsRoutes;
  /** Reverse proxies in front of the server whose X-Forwarded-For is believed (0: none; the peer is the client). */
  trustProxyHops: number;
  /** Several processes serve rooms together (REDIS_URL set); absent: this process is the only one. */
  fleet: FleetConfig | undefined;
  /** The rooms' Kubernetes API for the players' own tools (KUBEDRILL_KUBE_API_PORT; absent: not served). */
  kubeApi: KubeApiConfig | undefined;
}

export interface KubeApiConfig {
  port: number;
  /** The URL kubeconfigs name (KUBEDRILL_KUBE_API_URL; absent: the host the browser used and `port`). */
  publicUrl: string | undefined;
  /** The serving certificate and key, PEM (KUBEDRILL_KUBE_API_CERT/KEY; absent: a self-signed one made at start). */
  tls: { cert: string; key: string } | undefined;
}

export interface FleetConfig {
  redisUrl: string;
  /** Where the other processes reach this one (KUBEDRILL_ADVERTISE_URL; default http://HOST:PORT). */
  advertiseUrl: string;
  /** Room lease length (KUBEDRILL_LEASE_MS, default 3000): a dead owner's rooms move after at most this. */
  leaseMs: number;
  /** Where the others reach this process's Kubernetes API (KUBEDRILL_KUBE_API_ADVERTISE_URL; empty: not served). */
  kubeApiUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

// Unset and empty variables both mean "use the default" (`PORT=` in a compose file is common).
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const count = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);
/** `PER_IP/TOTAL` per minute, e.g. `30/600`. */
const rate = z
  .string()
  .regex(/^\d+\/\d+$/, 'must be PER_IP/TOTAL per minute, e.g. 30/600')
  .transform((value) => {
    const [perIp, total] = value.split('/').map(Number) as [number, number];
    return { perIp, total };
  });
const logReads = z
  .string()
  .regex(/^\d+\/[1-9]\d*$/, 'must be PER_IP/AT_ONCE: reads per minute per address / reads at once, e.g. 30/4')
  .transform((value) => {
    const [perIp, concurrent] = value.split('/').map(Number) as [number, number];
    return { perIp, concurrent };
  });
const opsAccess = z.enum(OPS_ACCESS, { error: `must be one of ${OPS_ACCESS.join(', ')}` });

/** A URL with a host and one of `protocols` (e.g. `postgres:`). */
const urlWith = (...protocols: string[]) => (value: string): boolean => {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
};
const isPostgresUrl = urlWith('postgres:', 'postgresql:');
const isRedisUrl = urlWith('redis:', 'rediss:');
const isHttpUrl = urlWith('http:', 'https:');

const envSchema = z.object({
  PORT: optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be an integer between 1 and 65535')
      .transform(Number)
      .refine((port) => port >= 1 && port <= 65535, 'must be an integer between 1 and 65535')
      .optional(),
  ),
  HOST: optionalText.pipe(
    z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address').optional(),
  ),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:pass@localhost:5432/kubedrill')
      .optional(),
  ),
  KUBEDRILL_DATA_DIR: optionalText,
  KUBEDRILL_ALLOWED_ORIGINS: optionalText.pipe(
    z
      .string()
      .transform((list) => list.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''))
      .pipe(z.array(z.string().refine(isOrigin, 'must be a comma-separated list of origins like https://drill.example.com (scheme, host, port; no path)')))
      .optional(),
  ),
  KUBEDRILL_MAX_ROOMS: optionalText.pipe(count.optional()),
  KUBEDRILL_MAX_SPECTATORS: optionalText.pipe(count.optional()),
  KUBEDRILL_RATE_ROOMS: optionalText.pipe(rate.optional()),
  KUBEDRILL_RATE_BAD_CODES: optionalText.pipe(rate.optional()),
  KUBEDRILL_RATE_SPECTATORS: optionalText.pipe(rate.optional()),
  KUBEDRILL_LOG_READS: optionalText.pipe(logReads.optional()),
  KUBEDRILL_RESUMES_PER_IP: optionalText.pipe(count.refine((n) => n >= 1, 'must be at least 1').optional()),
  KUBEDRILL_SOCKET_BACKLOG: optionalText.pipe(count.refine((n) => n >= 65_536, 'must be at least 65536 bytes').optional()),
  KUBEDRILL_TRUST_PROXY: optionalText.pipe(count.optional()),
  KUBEDRILL_METRICS: optionalText.pipe(opsAccess.optional()),
  KUBEDRILL_DOCS: optionalText.pipe(opsAccess.optional()),
  KUBEDRILL_OPS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  REDIS_URL: optionalText.pipe(z.string().refine(isRedisUrl, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379').optional()),
  KUBEDRILL_ADVERTISE_URL: optionalText.pipe(z.string().refine(isHttpUrl, 'must be an http:// or https:// URL other processes reach this one at').optional()),
  KUBEDRILL_KUBE_API_PORT: optionalText.pipe(
    z.string().regex(/^\d+$/, 'must be an integer between 0 and 65535').transform(Number).refine((port) => port <= 65535, 'must be an integer between 0 and 65535').optional(),
  ),
  KUBEDRILL_KUBE_API_URL: optionalText.pipe(z.string().refine(urlWith('https:'), 'must be an https:// URL the players\' kubectl reaches the Kubernetes API port at').optional()),
  KUBEDRILL_KUBE_API_ADVERTISE_URL: optionalText.pipe(z.string().refine(urlWith('https:'), 'must be an https:// URL other processes reach this one\'s Kubernetes API port at').optional()),
  KUBEDRILL_KUBE_API_CERT: optionalText,
  KUBEDRILL_KUBE_API_KEY: optionalText,
  KUBEDRILL_LEASE_MS: optionalText.pipe(count.refine((ms) => ms >= 500 && ms <= 60_000, 'must be between 500 and 60000 ms').optional()),
  LOG_LEVEL: optionalText.pipe(
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  ),
});

type EnvName = keyof z.infer<typeof envSchema>;

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '').toLowerCase();
  } catch {
    return false;
  }
}

/** The value as it may be shown in an error: a URL's password is never echoed. */
function shownValue(name: EnvName, value: string): string {
  if (name === 'KUBEDRILL_OPS_TOKEN') return '***';
  if (name !== 'DATABASE_URL' && name !== 'REDIS_URL') return value;
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return value.replace(/:[^:@/]*@/, ':***@');
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]) as EnvName;
      const raw = env[name];
      const got = raw === undefined ? '' : ` (got ${JSON.stringify(shownValue(name, raw))})`;
      return `${name}: ${issue.message}${got}`;
    });
    throw new ConfigError(problems);
  }
  const vars = parsed.data;
  if ((vars.KUBEDRILL_METRICS === 'token' || vars.KUBEDRILL_DOCS === 'token') && !vars.KUBEDRILL_OPS_TOKEN) {
    throw new ConfigError(['KUBEDRILL_OPS_TOKEN: must be set when KUBEDRILL_METRICS or KUBEDRILL_DOCS is "token"']);
  }
  if (vars.REDIS_URL && !vars.DATABASE_URL) throw new ConfigError(['REDIS_URL: several processes need a shared DATABASE_URL (the embedded database belongs to one process)']);
  const port = vars.PORT ?? 3000;
  const host = vars.HOST ?? '127.0.0.1';
  const advertiseUrl = vars.KUBEDRILL_ADVERTISE_URL ?? `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  const kubeApi = vars.KUBEDRILL_KUBE_API_PORT === undefined ? undefined : {
    port: vars.KUBEDRILL_KUBE_API_PORT,
    publicUrl: vars.KUBEDRILL_KUBE_API_URL?.replace(/\/$/, ''),
    tls: servingCert(vars.KUBEDRILL_KUBE_API_CERT, vars.KUBEDRILL_KUBE_API_KEY, cwd),
  };
  if (vars.REDIS_URL && kubeApi) requireSharedKubeApi(kubeApi);
  return {
    port,
    host,
    databaseUrl: vars.DATABASE_URL,
    dataDir: path.resolve(cwd, vars.KUBEDRILL_DATA_DIR ?? '.kubedrill'),
    logLevel: vars.LOG_LEVEL ?? 'info',
    allowedOrigins: vars.KUBEDRILL_ALLOWED_ORIGINS ?? [],
    limits: {
      maxOpenRooms: vars.KUBEDRILL_MAX_ROOMS ?? DEFAULT_LIMITS.maxOpenRooms,
      maxSpectatorsPerRoom: vars.KUBEDRILL_MAX_SPECTATORS ?? DEFAULT_LIMITS.maxSpectatorsPerRoom,
      roomCreation: vars.KUBEDRILL_RATE_ROOMS ?? DEFAULT_LIMITS.roomCreation,
      badJoinCodes: vars.KUBEDRILL_RATE_BAD_CODES ?? DEFAULT_LIMITS.badJoinCodes,
      spectatorJoins: vars.KUBEDRILL_RATE_SPECTATORS ?? DEFAULT_LIMITS.spectatorJoins,
      logReads: vars.KUBEDRILL_LOG_READS ?? DEFAULT_LIMITS.logReads,
      resumesPerIp: vars.KUBEDRILL_RESUMES_PER_IP ?? DEFAULT_LIMITS.resumesPerIp,
      socketBacklogBytes: vars.KUBEDRILL_SOCKET_BACKLOG ?? DEFAULT_LIMITS.socketBacklogBytes,
      resumeSentMs: DEFAULT_LIMITS.resumeSentMs,
    },
    trustProxyHops: vars.KUBEDRILL_TRUST_PROXY ?? 0,
    ops: { metrics: vars.KUBEDRILL_METRICS ?? 'public', docs: vars.KUBEDRILL_DOCS ?? 'public', token: vars.KUBEDRILL_OPS_TOKEN },
    fleet: vars.REDIS_URL
      ? {
          redisUrl: vars.REDIS_URL,
          advertiseUrl,
          leaseMs: vars.KUBEDRILL_LEASE_MS ?? 3000,
          kubeApiUrl: !kubeApi ? '' : (vars.KUBEDRILL_KUBE_API_ADVERTISE_URL?.replace(/\/$/, '') ?? `https://${new URL(advertiseUrl).host.replace(/:\d+$/, '')}:${kubeApi.port}`),
        }
      : undefined,
    kubeApi,
  };
}

/** The kube API's certificate and key from their files, checked to be PEM and to belong together. */
function servingCert(certFile: string | undefined, keyFile: string | undefined, cwd: string): KubeApiConfig['tls'] {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError(['KUBEDRILL_KUBE_API_CERT, KUBEDRILL_KUBE_API_KEY: set both or neither']);
  const read = (name: string, file: string, marker: RegExp): string => {
    let text: string;
    try {
      text = readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new ConfigError([`${name}: cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
    }
    if (!marker.test(text)) throw new ConfigError([`${name}: ${JSON.stringify(file)} is not a PEM file of the expected kind`]);
    return text;
  };
  const tls = { cert: read('KUBEDRILL_KUBE_API_CERT', certFile, /-----BEGIN CERTIFICATE-----/), key: read('KUBEDRILL_KUBE_API_KEY', keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/) };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new ConfigError([`KUBEDRILL_KUBE_API_CERT, KUBEDRILL_KUBE_API_KEY: not a certificate and its key (${(error as Error).message})`]);
  }
  return tls;
}

/**
 * Several processes serve one Kubernetes API behind one address: a kubeconfig names that
 * address (not one process, which may die) and trusts one certificate, whichever process
 * its connection lands on; and the others must know this process's port to forward to it.
 */
function requireSharedKubeApi(kubeApi: KubeApiConfig): void {
  const problems: string[] = [];
  if (kubeApi.port === 0) problems.push('KUBEDRILL_KUBE_API_PORT: with REDIS_URL must be a fixed port (the other processes forward to it)');
  if (kubeApi.publicUrl === undefined) problems.push('KUBEDRILL_KUBE_API_URL: with REDIS_URL must be set (the balancer\'s address of the Kubernetes API port, which every kubeconfig names)');
  if (kubeApi.tls === undefined) problems.push('KUBEDRILL_KUBE_API_CERT, KUBEDRILL_KUBE_API_KEY: with REDIS_URL must be set (one certificate for every process, which kubeconfigs trust)');
  if (problems.length > 0) throw new ConfigError(problems);
}
