/**
 * The normalized alert: what every source is turned into at the ingest edge (stage "normalize"), and what the
 * queue carries to the processor. Plain JSON, so it survives the queue and the raw archive replay unchanged.
 */

/**
 * The name of a source of the source registry (`core/normalize/registry.ts`, which exports the narrow
 * `SourceName`). The model stays a plain string so it depends on no source; envelopes are checked against the
 * registry where they are parsed (`envelope.schema.ts`).
 */
export type RegisteredSourceName = string;

/** Severities, most severe first. */
export const SEVERITIES = ['sev1', 'sev2', 'sev3'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * What the alert asks for:
 * - `trigger`: something is wrong (opens or joins an incident);
 * - `resolve`: the source says it is fine again (CloudWatch OK, Alertmanager resolved, Events v2 resolve);
 * - `acknowledge`: the source acknowledges (Events v2 acknowledge);
 * - `info`: recorded on the incident timeline but never pages (CloudWatch INSUFFICIENT_DATA).
 */
export type AlertAction = 'trigger' | 'resolve' | 'acknowledge' | 'info';

export interface NormalizedAlert {
  source: RegisteredSourceName;
  /**
   * Identity of this delivery of this alert (Threat Stack `id`, SNS `MessageId` / CloudWatch transition,
   * EventBridge transition, Alertmanager fingerprint+startsAt+status). Two deliveries with the same key are
   * the same alert.
   */
  deliveryKey: string;
  /**
   * The source's identity fields, in declared order: what goes into the fingerprint. Named so the decision trace
   * can show them.
   */
  identity: Array<[name: string, value: string]>;
  /** Canonical fingerprint string, e.g. `cw:arn:aws:cloudwatch:...`; hashed by `fingerprintOf`. */
  fingerprintKey: string;
  action: AlertAction;
  /** Short human title. */
  title: string;
  /** Longer text (CloudWatch NewStateReason, Threat Stack summary). */
  description: string;
  /** Severity proposed by the source's default mapping; rules may override it. */
  severity: Severity;
  /** The source's own severity or state, verbatim (`1`, `ALARM`, `critical`). */
  sourceSeverity: string;
  /** When the source says it happened, ISO 8601 UTC with `Z`. */
  occurredAt: string;
  /** Link back to the alert at the source (Threat Stack alert, CloudWatch alarm console). */
  alertUrl: string | null;
  /** What is affected: host, region, load balancer, alarm name. */
  resource: string | null;
  /** Flat attributes for rules and tags (`region`, `account`, `namespace`, labels). */
  labels: Record<string, string>;
  /** The alert's own part of the payload, as received (one Threat Stack alert, the parsed CloudWatch message). */
  raw: unknown;
  /**
   * CloudWatch alarms only, set by the processor before the rules run (never carried by the queue): the alarm's
   * tags and description read from CloudWatch (core/enrich/alarm-enrichment.ts). Rules see it as `alarm`.
   */
  alarm?: AlarmContext;
}

/** What the rules see of a CloudWatch alarm as `alarm` (docs/rules.md §Variables). */
export interface AlarmContext {
  arn: string;
  name: string;
  region: string;
  account: string;
  /** The alarm's tags (empty when enrichment failed or is off). */
  tags: Record<string, string>;
  /** Its description: CloudWatch's, else the one the alarm message carried, else empty. */
  description: string;
  /** Whether the tags and description were read from CloudWatch (false: enrichment failed or is off). */
  enriched: boolean;
}

/** One accepted delivery as the queue carries it: the unit of idempotency between ingest and processor. */
export interface AlertEnvelope {
  v: 1;
  /**
   * Idempotency key of the delivery: derived from the delivery keys of its alerts, so a sender's retry of the same
   * body, an SNS redelivery and an SQS redelivery all carry the same key.
   */
  messageKey: string;
  source: RegisteredSourceName;
  /** Ingest route that took it (`threatstack-webhook`, `sns-https`, `sns-lambda`, `eventbridge`, ...). */
  via: string;
  /** The ingest integration whose token the sender presented (docs/deploy.md); absent for the stack's own topic and rules. */
  integration?: string;
  receivedAt: string;
  /**
   * Where the raw body is archived (S3 key or local archive path, or a line reference into a batch object: see
   * core/raw-batch.ts), for replay. Empty while the envelope carries the body itself (`raw`).
   */
  archiveKey: string;
  /**
   * The raw body of a delivery that fits in this one message, with the archive metadata the other fields do not
   * hold: ingest archived nothing, the processor archives it (in its batch object) before it processes the message.
   */
  raw?: { body: string; requestId: string; contentType?: string };
  /**
   * Position of `alerts[0]` among the alerts of the delivery (a delivery too big for one message is split), so each
   * alert's index in its delivery is known. Absent in envelopes enqueued before it existed.
   */
  offset?: number;
  alerts: NormalizedAlert[];
}
