/**
 * The config of generic JSON webhooks (`sources.webhooks[]`): the schema and its types, without CEL. The pipeline
 * config's checks compile every expression where the config is validated (cdk synth); webhook-mapping.ts compiles
 * them for use.
 */
import * as z from 'zod/mini';
import { SEVERITIES, type NormalizedAlert } from '../model/alert';
import type { NormalizeContext } from './shared';

/** A CEL expression (see rules/expressions.ts); checked when the config is loaded. */
const expression = z.string().check(z.minLength(1), z.maxLength(4000));

/**
 * A generic JSON webhook (`POST /ingest/webhook/{name}/{token}`): how to read an alert out of any JSON body.
 * Each field is a CEL expression over `payload` (the body, or one element of `alertsPath`).
 */
export const GenericWebhookSchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "." and "-"')),
  /** CEL expression returning the list of alerts in a body; omit when the body is one alert. */
  alerts: z.optional(expression),
  mapping: z.strictObject({
    title: expression,
    /** What identifies repeats of the same problem (a string). */
    fingerprint: expression,
    /** Identity of one delivery (a string); omit to count every delivery. */
    deliveryKey: z.optional(expression),
    description: z.optional(expression),
    /** `sev1`..`sev3`; omit for `defaultSeverity`. */
    severity: z.optional(expression),
    /** `trigger`, `resolve`, `acknowledge` or `info`; omit for `trigger`. */
    action: z.optional(expression),
    /** ISO 8601 time; omit for the receive time. */
    occurredAt: z.optional(expression),
    alertUrl: z.optional(expression),
    resource: z.optional(expression),
  }),
  defaultSeverity: z._default(z.enum(SEVERITIES), 'sev2'),
  /** Auto-resolve after this many quiet minutes (0 = never), for senders without resolves. */
  autoResolveAfterMinutes: z._default(z.int().check(z.minimum(0)), 0),
});

export type GenericWebhookConfig = z.infer<typeof GenericWebhookSchema>;
export type WebhookNormalizer = (body: unknown, ctx: NormalizeContext) => NormalizedAlert[];

/** Identity fields of a webhook alert, in order. */
export const WEBHOOK_IDENTITY_FIELDS = ['webhook', 'fingerprint'] as const;

/** `sources.webhooks` of the pipeline config. */
export const WebhooksOptionsSchema = z._default(z.array(GenericWebhookSchema), []);
