/**
 * The golden-case file: `given these alerts (at these times) -> expect these tags, routes, suppressions and incident
 * grouping`. One strict zod/mini schema; problems are ConfigErrors naming the file and the path
 * (`cases[0].given[1].at: ...`). Format and examples: docs/golden-and-replay.md.
 */
import * as z from 'zod/mini';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors';
import { SEVERITIES } from '../model/alert';
import { SOURCES } from '../normalize/registry';
import { issuesOf } from '../normalize/shared';

const ACTIONS = ['trigger', 'resolve', 'acknowledge', 'info'] as const;
const OUTCOMES = ['opened', 'joined', 'resolved', 'acknowledged', 'recorded', 'suppressed', 'duplicate', 'ignored'] as const;
const STATUSES = ['triggered', 'acknowledged', 'resolved', 'suppressed'] as const;

/** `+10m`, `+1h30m`, `+45s`, `+2d`, `+500ms`: after the previous given. */
export const RELATIVE_TIME = /^\+(?:\d+(?:ms|s|m|h|d))+$/;
const ABSOLUTE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const time = z.string().check(
  z.refine((s) => RELATIVE_TIME.test(s) || (ABSOLUTE_TIME.test(s) && !Number.isNaN(Date.parse(s))), 'expected an ISO 8601 time with offset or "+<n><ms|s|m|h|d>" (after the previous one)'),
);
/** YAML writes `111122223333` as a number; labels and tags are strings. */
const scalar = z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform((v: string | number | boolean) => String(v)));
const nonEmpty = z.string().check(z.minLength(1));

/** A normalized alert in shorthand: only `source` is required. */
export const AlertShorthandSchema = z.strictObject({
  source: z.enum(SOURCES),
  title: z.optional(nonEmpty),
  description: z.optional(z.string()),
  severity: z.optional(z.enum(SEVERITIES)),
  sourceSeverity: z.optional(scalar),
  action: z.optional(z.enum(ACTIONS)),
  fingerprintKey: z.optional(nonEmpty),
  deliveryKey: z.optional(nonEmpty),
  occurredAt: z.optional(time),
  alertUrl: z.optional(z.nullable(z.string())),
  resource: z.optional(z.nullable(z.string())),
  labels: z.optional(z.record(z.string(), scalar)),
  /** What rules see as `payload`. */
  payload: z.optional(z.unknown()),
});
export type AlertShorthand = z.infer<typeof AlertShorthandSchema>;

export const GivenSchema = z
  .strictObject({
    /** ISO time, or `+10m` after the previous given; the first given needs an ISO time. Omitted: the previous time. */
    at: z.optional(time),
    /** A raw body as the source sends it, normalized by the route `via` (the source's usual route when omitted). */
    source: z.optional(z.enum(SOURCES)),
    via: z.optional(nonEmpty),
    body: z.optional(z.unknown()),
    /** The request id the route would have assigned (Events v2 without dedup_key, webhooks without deliveryKey). */
    requestId: z.optional(nonEmpty),
    /** Or an alert already normalized, in shorthand. */
    alert: z.optional(AlertShorthandSchema),
  })
  .check(
    z.superRefine((g, ctx) => {
      const issue = (path: PropertyKey[], message: string) => ctx.issues.push({ code: 'custom', message, path, input: g });
      const raw = g.body !== undefined;
      if (raw === (g.alert !== undefined)) issue([], 'give either body (with source) or alert');
      if (raw && g.source === undefined) issue(['source'], 'required with body');
      if (!raw && (g.source !== undefined || g.via !== undefined)) issue([g.source !== undefined ? 'source' : 'via'], 'belongs to a body; an alert names its source inside');
    }),
  );
export type Given = z.infer<typeof GivenSchema>;

export const AlertExpectationSchema = z
  .strictObject({
    /** Which alert: its number (1-based, in processing order) or its delivery key; omitted = the entry's position. */
    index: z.optional(z.int().check(z.minimum(1))),
    deliveryKey: z.optional(nonEmpty),
    /** A subset of the tags; `null` = the tag must be absent. */
    tags: z.optional(z.record(z.string(), z.nullable(scalar))),
    severity: z.optional(z.enum(SEVERITIES)),
    route: z.optional(
      z.strictObject({
        service: z.optional(nonEmpty),
        escalationPolicy: z.optional(z.nullable(nonEmpty)),
        team: z.optional(z.nullable(nonEmpty)),
        rule: z.optional(nonEmpty),
      }),
    ),
    /** true / false, or a substring of the suppression reason. */
    suppressed: z.optional(z.union([z.boolean(), nonEmpty])),
    pages: z.optional(z.boolean()),
    /** The incident label it opened or joined (`#1` = the first incident the case opened); null = none. */
    incident: z.optional(z.nullable(z.string().check(z.regex(/^#[1-9]\d*$/, 'expected an incident label such as "#1"')))),
    outcome: z.optional(z.enum(OUTCOMES)),
    holdMinutes: z.optional(z.nullable(z.int())),
  })
  .check(
    z.superRefine((e, ctx) => {
      if (e.index !== undefined && e.deliveryKey !== undefined) {
        ctx.issues.push({ code: 'custom', message: 'use index or deliveryKey, not both', path: ['deliveryKey'], input: e });
      }
    }),
  );
export type AlertExpectation = z.infer<typeof AlertExpectationSchema>;

export const IncidentExpectationSchema = z.strictObject({
  label: z.string().check(z.regex(/^#[1-9]\d*$/, 'expected an incident label such as "#1"')),
  status: z.optional(z.enum(STATUSES)),
  alertCount: z.optional(z.int().check(z.minimum(0))),
  service: z.optional(nonEmpty),
  escalationPolicy: z.optional(z.nullable(nonEmpty)),
  severity: z.optional(z.enum(SEVERITIES)),
  suppressed: z.optional(z.boolean()),
  pages: z.optional(z.boolean()),
  /** The label of the upstream incident that held its page (inhibition); null = not held. */
  inhibitedBy: z.optional(z.nullable(z.string().check(z.regex(/^#[1-9]\d*$/, 'expected an incident label such as "#1"')))),
});
export type IncidentExpectation = z.infer<typeof IncidentExpectationSchema>;

export const GoldenCaseSchema = z.strictObject({
  name: nonEmpty,
  given: z.array(GivenSchema).check(z.minLength(1)),
  expect: z.strictObject({
    alerts: z.optional(z.array(AlertExpectationSchema)),
    incidents: z.optional(z.array(IncidentExpectationSchema)),
    /** How many incidents the case opens in all. */
    incidentCount: z.optional(z.int().check(z.minimum(0))),
    /** Givens (1-based) the route rejects, with a substring of the error. Any other rejection fails the case. */
    rejected: z.optional(z.array(z.strictObject({ given: z.int().check(z.minimum(1)), error: z.optional(nonEmpty) }))),
  }),
});
export type GoldenCase = z.infer<typeof GoldenCaseSchema>;

export const GoldenFileSchema = z
  .strictObject({
    /** The pipeline config to check against, relative to this file (default: the repository's config). */
    config: z.optional(nonEmpty),
    cases: z.array(GoldenCaseSchema).check(z.minLength(1)),
  })
  .check(
    z.superRefine((f, ctx) => {
      const seen = new Set<string>();
      (f.cases ?? []).forEach((c, i) => {
        if (seen.has(c.name)) ctx.issues.push({ code: 'custom', message: `duplicate case name "${c.name}"`, path: ['cases', i, 'name'], input: c });
        seen.add(c.name);
        const first = c.given?.[0];
        if (first && (first.at === undefined || RELATIVE_TIME.test(first.at))) {
          ctx.issues.push({ code: 'custom', message: 'the first given needs an ISO 8601 time', path: ['cases', i, 'given', 0, 'at'], input: first.at });
        }
      });
    }),
  );
export type GoldenFile = z.infer<typeof GoldenFileSchema>;

export function parseGoldenFile(value: unknown, sourceName = 'golden file'): GoldenFile {
  const result = z.safeParse(GoldenFileSchema, value);
  if (!result.success) throw new ConfigError(issuesOf(result.error), sourceName);
  return result.data;
}

/** Parses golden-case YAML (or JSON) text; YAML errors and duplicate keys are ConfigErrors too. */
export function parseGoldenFileText(text: string, sourceName = 'golden file'): GoldenFile {
  // Merge keys (`<<: *alarm`) let a case reuse a body with a few fields changed.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? 'YAML error' })), sourceName);
  }
  return parseGoldenFile(doc.toJS(), sourceName);
}
