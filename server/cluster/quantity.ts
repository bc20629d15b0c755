// Kubernetes resource quantities ("100m", "1", "128Mi", "1Gi", "1G", "1e3") and simple
// durations ("3d", "1h30m", "45s"), parsed into the base units the state stores.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The quantity's value in plain units (e.g. "500m" → 0.5, "1Ki" → 1024), or null if malformed. */
export function parseQuantity(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  const m = QUANTITY_RE.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in BINARY) return value * BINARY[suffix]!;
  if (suffix in DECIMAL) return value * DECIMAL[suffix]!;
  return value * 10 ** Number(suffix.slice(1)); // exponent form, e.g. 1e3
}

/** CPU in millicores, rounded up like Kubernetes' MilliValue(). */
export function parseCpu(text: string | number): number | null {
  const v = parseQuantity(text);
  return v === null ? null : Math.ceil(Math.round(v * 1e9) / 1e6);
}

/** Memory / storage in bytes, rounded up like Kubernetes' Value(). */
export function parseBytes(text: string | number): number | null {
  const v = parseQuantity(text);
  return v === null ? null : Math.ceil(Math.round(v * 1e3) / 1e3);
}

/** Millicores in Kubernetes' canonical form: "2", "500m". */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Bytes in canonical form: the largest binary suffix that divides exactly, else decimal, else plain. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [suffix, unit] of Object.entries(BINARY).reverse()) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  for (const suffix of ['E', 'P', 'T', 'G', 'M', 'k']) {
    const unit = DECIMAL[suffix]!;
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** Binary sizes for humans the way `df -h` / etcdctl print them, e.g. "2.1G", "512M". */
export function formatHumanBytes(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return String(Math.round(v));
  return v < 10 ? `${Math.ceil(v * 10) / 10}${units[i]}` : `${Math.ceil(v)}${units[i]}`;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Go's time.Duration String() of milliseconds (1 s or more): `20s`, `1m0s`, `1h0m0s`, `2m5.25s`. */
export function goDuration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = `${((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

/** "3d", "1h30m", "45s", "250ms" → milliseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  return consumed === text.length && text.length > 0 ? Math.round(total) : null;
}
