/**
 * Helpers shared by the source normalizers: schema parsing that names the bad field, time conversion at the edge,
 * and the options every normalizer receives.
 */
import * as z from 'zod/mini';
import { InvalidPayloadError, formatPath, type FieldIssue } from '../errors';
import type { Severity } from '../model/alert';

/** Options a normalizer may need from config; the defaults apply when config is silent. */
export interface NormalizeOptions {
  /** Severity of a CloudWatch ALARM when no rule says otherwise (docs/formats.md §6: sev2). */
  cloudwatchDefaultSeverity: Severity;
  /** Alertmanager `labels.severity` value -> severity; unknown values get `alertmanagerDefaultSeverity`. */
  alertmanagerSeverityMap: Record<string, Severity>;
  alertmanagerDefaultSeverity: Severity;
  /** Link to a Threat Stack alert; `{id}` is replaced by the alert id. The UI path is unconfirmed, so it is config. */
  threatstackAlertUrlTemplate: string;
}

export const DEFAULT_NORMALIZE_OPTIONS: NormalizeOptions = {
  cloudwatchDefaultSeverity: 'sev2',
  alertmanagerSeverityMap: { critical: 'sev1', page: 'sev1', error: 'sev2', warning: 'sev2', info: 'sev3', none: 'sev3' },
  alertmanagerDefaultSeverity: 'sev2',
  threatstackAlertUrlTemplate: 'https://app.threatstack.com/alerts/{id}',
};

/** Context of one delivery, supplied by the ingest handler. */
export interface NormalizeContext {
  /** When the pipeline received the delivery (ISO 8601 UTC). */
  receivedAt: string;
  /** A unique id of the request, for sources without their own idempotency key. */
  requestId: string;
  options: NormalizeOptions;
}

/** Parses `value` with `schema`; on failure throws InvalidPayloadError listing every bad field by path. */
export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown, pathPrefix: readonly PropertyKey[] = []): z.infer<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  throw new InvalidPayloadError(issuesOf(result.error, pathPrefix));
}

export function issuesOf(error: z.core.$ZodError, pathPrefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.slice(0, 20).map((issue) => ({
    path: formatPath([...pathPrefix, ...issue.path]),
    message: describeIssue(issue),
  }));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_big':
      return `too long (maximum ${String(issue.maximum)})`;
    case 'too_small':
      return issue.minimum === 1 ? 'must not be empty' : `too short (minimum ${String(issue.minimum)})`;
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : issue.code.replace(/_/g, ' ');
  }
}

/** A single-field failure, for checks a schema cannot express. */
export function invalidField(path: string, message: string): InvalidPayloadError {
  return new InvalidPayloadError([{ path, message }]);
}

/** ISO UTC with milliseconds whose fields no date parser normalizes (day <= 28, hour <= 23). */
const CANONICAL_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Whether `toIsoUtc` gives `value` back unchanged without parsing it (the form most sources send). */
export function isCanonicalUtc(value: string): boolean {
  return CANONICAL_UTC.test(value) && !value.startsWith('0001-01-01');
}

/** `Object.prototype` of this or another realm (JSON.parse and structuredClone may run in another one under jest). */
function isObjectPrototype(proto: unknown): boolean {
  return proto === Object.prototype || (typeof proto === 'object' && proto !== null && Object.getPrototypeOf(proto) === null && Object.hasOwn(proto, 'isPrototypeOf'));
}

/**
 * A JSON object whose own values are all strings, as `z.record(z.string(), z.string())` accepts and copies unchanged:
 * an ordinary prototype, no symbol keys, no `__proto__` key (the schema drops that one). False means "ask the schema",
 * not "invalid".
 */
export function isPlainStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || !isObjectPrototype(Object.getPrototypeOf(value))) return false;
  for (const key in value) {
    if (key === '__proto__' || typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}

/**
 * Converts the time formats sources send into ISO 8601 UTC with `Z`: `+0000` offsets (CloudWatch), `Z` without
 * milliseconds (EventBridge), epoch milliseconds (Threat Stack). Returns null for unparseable input and for the
 * year-1 zero time Alertmanager uses for "unset".
 */
export function toIsoUtc(value: string | number): string | null {
  // Fast path (most sources send this form): already ISO UTC with milliseconds, and every field in a range no date
  // normalizes (day <= 28, hour <= 23): parsing and printing it would give it back unchanged.
  if (typeof value === 'string' && isCanonicalUtc(value)) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const s = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
  if (s.startsWith('0001-01-01')) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A zod string that must be a parseable timestamp; normalizes it to ISO UTC. */
export const timestampString = z.pipe(
  z.string(),
  z.transform((s: string, ctx) => {
    const iso = toIsoUtc(s);
    if (iso === null) {
      ctx.issues.push({ code: 'custom', message: 'expected an ISO 8601 timestamp', input: s });
      return z.NEVER;
    }
    return iso;
  }),
);

/** Trims and bounds free text so one giant field cannot bloat an incident item. */
export function clip(text: string, max: number): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
