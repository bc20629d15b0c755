// The scenario's player view is an open record (the scenario format owns its fields); this
// reads the few the screens show, accepting the spellings the format may use.
export interface Choice {
  id: string;
  label: string;
}

export interface ScenarioInfo {
  id: string;
  title: string;
  briefing: string;
  difficulty: string;
  timeLimitMs: number | undefined;
  /** What a player should budget (the lobby shows it). */
  estimatedMinutes: number | undefined;
  tags: string[];
  /** Plausible root causes for the diagnosis form. */
  causes: Choice[];
  /** How many root causes the diagnosis names: 2 when the host stacked a second fault. */
  causeCount: 1 | 2;
  /** The lobby's: a host may stack a second fault onto this incident. */
  stackable: boolean;
  /** Evidence items the form offers as checkboxes (free text is always possible). */
  evidence: Choice[];
  /** The scenario's hints by id and cost (their text comes when given). */
  hints: { id: string; cost: number }[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function pick(record: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) {
    const path = key.split('.');
    let value: unknown = record;
    for (const part of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function choices(value: unknown): Choice[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Choice[] => {
    if (typeof item === 'string') return [{ id: item, label: item }];
    if (item && typeof item === 'object') {
      const r = item as Record<string, unknown>;
      const id = str(r.id) ?? str(r.key) ?? str(r.value);
      const label = str(r.label) ?? str(r.text) ?? str(r.title) ?? str(r.description) ?? id;
      return id && label ? [{ id, label }] : [];
    }
    return [];
  });
}

function timeLimit(record: Record<string, unknown>): number | undefined {
  const ms = pick(record, 'timeLimitMs');
  if (typeof ms === 'number') return ms;
  const seconds = pick(record, 'timeLimitSec', 'timeLimitSeconds');
  if (typeof seconds === 'number') return seconds * 1000;
  const minutes = pick(record, 'timeLimitMinutes', 'timeLimitMin', 'minutes');
  if (typeof minutes === 'number') return minutes * 60_000;
  const text = pick(record, 'timeLimit', 'time');
  if (typeof text === 'number') return text * 60_000;
  if (typeof text === 'string') {
    const match = /^(\d+)\s*(m|min|s|h)?$/.exec(text.trim());
    if (match) return Number(match[1]) * ({ s: 1000, h: 3_600_000 }[match[2] as 's' | 'h'] ?? 60_000);
  }
  return undefined;
}

export function scenarioInfo(record: Record<string, unknown>): ScenarioInfo {
  const briefing = pick(record, 'briefing', 'summary', 'description');
  return {
    id: str(pick(record, 'id', 'scenarioId')) ?? '',
    title: str(pick(record, 'title', 'name')) ?? str(record.id) ?? 'Untitled scenario',
    briefing: typeof briefing === 'string' ? briefing : Array.isArray(briefing) ? briefing.join('\n') : '',
    difficulty: str(pick(record, 'difficulty', 'level')) ?? '',
    timeLimitMs: timeLimit(record),
    estimatedMinutes: typeof record.estimatedMinutes === 'number' ? record.estimatedMinutes : undefined,
    tags: Array.isArray(record.tags) ? record.tags.filter((t): t is string => typeof t === 'string') : [],
    causes: choices(pick(record, 'diagnosis.causes', 'diagnosis.choices', 'causes', 'plausibleCauses', 'rootCauses', 'choices')),
    causeCount: record.causeCount === 2 ? 2 : 1,
    stackable: record.stackable === true,
    evidence: choices(pick(record, 'diagnosis.evidence', 'evidenceChoices', 'evidence')),
    hints: Array.isArray(record.hints)
      ? record.hints.flatMap((x) => (x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string' && typeof (x as { cost?: unknown }).cost === 'number' ? [x as { id: string; cost: number }] : []))
      : [],
  };
}

export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/** A chosen cause or evidence id as the player saw it (its label), or the text as typed. */
export function choiceLabel(choices: readonly Choice[], id: string): string {
  return choices.find((c) => c.id === id)?.label ?? id;
}

/** The cause(s) a diagnosis names, as the player saw them: two in a room with a stacked fault. */
export function causesNamed(choices: readonly Choice[], d: { rootCause: string; secondCause?: string | undefined }): string {
  return [d.rootCause, ...(d.secondCause === undefined ? [] : [d.secondCause])].map((id) => choiceLabel(choices, id)).join(' + ');
}
