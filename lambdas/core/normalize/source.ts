/**
 * The contract of one ingestion source: everything the pipeline derives from a source lives in its descriptor, and
 * the code dispatches on the registry of descriptors (`registry.ts`): the HTTP ingest routes and their auth, the
 * `sources.*` config section, the EventBridge event types of `POST /ingest/eventbridge/{token}` and of the stack's
 * optional rules, simulation and replay, the local banner, the stack outputs and the fixture table test.
 */
import type * as z from 'zod/mini';
import type { NormalizedAlert } from '../model/alert';
import type { NormalizeContext } from './shared';

/** How an HTTP ingest route authenticates its caller (see handlers/routes.ts). */
export type IngestAuth = 'path-token' | 'sns-signature' | 'routing-key';

/** One HTTP ingest route of a source. */
export interface IngestRoute {
  /** API path, e.g. `/ingest/threatstack/{token}`; `{token}` is the ingest token. */
  readonly path: string;
  readonly auth: IngestAuth;
  /** The `via` recorded in the archive and on each alert; `{name}` is replaced by the path parameter. */
  readonly via: string;
  /** A stack output with the URL of the route (the token replaced by a placeholder). */
  readonly output?: { readonly id: string; readonly description: string };
  /** Label of the route's line in the local runtime's start-up banner. */
  readonly banner?: string;
}

/** An EventBridge event type a source accepts: matched on the envelope's `source` and `detail-type`. */
export interface EventBridgeType {
  readonly source: string;
  readonly detailType: string;
  /** Normalizes one whole EventBridge event (the envelope with its `detail`). */
  normalize(event: unknown, ctx: NormalizeContext): NormalizedAlert[];
}

/** The optional EventBridge rule the stack creates for a source's event types. */
export interface EventBridgeRule<Options> {
  /** Construct id of the rule. */
  readonly id: string;
  readonly description: string;
  /** Whether the config asks for the rule. */
  enabled(options: Options): boolean;
}

/** A source's normalizer, prepared once from its config options. */
export interface PreparedSource {
  /**
   * Normalizes a body as the route `via` received it (`undefined`: the source's default route). A bad body is an
   * InvalidPayloadError naming the field; never anything else.
   */
  normalize(via: string | undefined, body: unknown, ctx: NormalizeContext): NormalizedAlert[];
  /**
   * Checks a request before its body is read: 403 (an AuthenticationError) for a sender the options do not allow,
   * 404 (a NotFoundError) for a route parameter the config does not know.
   */
  admit?(request: { via: string; sourceIp?: string }): void;
}

export interface SourceDescriptor<Options = unknown> {
  /** The source name: the `source` of alerts and envelopes, the archive prefix, the fixture folder. */
  readonly name: string;
  /** Human name of the sender. */
  readonly displayName: string;
  /** The fields whose values make up the fingerprint, in order (the `identity` of every normalized alert). */
  readonly identityFields: readonly string[];
  /** Format of the fingerprint key before hashing. */
  readonly fingerprintKey: string;
  /** When an alert of this source resolves an incident, in one sentence. */
  readonly resolveCondition: string;
  /**
   * `states`: alerts are successive states of one thing (an alarm, a dedup key, a finding), so the newest state change
   * wins whatever order deliveries arrive in, and an older one is recorded as `stale-state-change`; `events`: every
   * alert is an event of its own (Threat Stack), counted whenever it arrives.
   */
  readonly alertsAre: 'states' | 'events';
  /** What makes two deliveries the same delivery, in one sentence. */
  readonly idempotencyKey: string;
  /** Path (from the repository root) of a representative payload; its `.expected.json` sibling is the output. */
  readonly exampleFixture: string;
  /** Where the payload format is specified (docs/sources.md section). */
  readonly formatsSection: string;
  /** The `via` of the source's main route (replay's default); undefined when it depends on a route parameter. */
  readonly defaultVia?: string;
  /** The `via` a body most likely came by, when the archive does not say (replay); before `defaultVia`. */
  detectVia?(body: unknown): string | undefined;
  /** `sources.<key>` of the pipeline config: a schema with every default set. */
  readonly options?: { readonly key: string; readonly schema: z.ZodMiniType<Options> };
  /** HTTP ingest routes (besides `POST /ingest/eventbridge/{token}`, which serves every `eventBridge` type). */
  readonly routes: readonly IngestRoute[];
  /** EventBridge event types of this source. */
  readonly eventBridge?: readonly EventBridgeType[];
  /** The stack's optional EventBridge rule for those types. */
  readonly eventBridgeRule?: EventBridgeRule<Options>;
  /** Prepares the normalizer from the source's options (the schema's output; its defaults when config is silent). */
  prepare(options: Options): PreparedSource;
  /** The `via` of a fixture case (`test/fixtures/events/<name>/<case>.json`), from its name. */
  fixtureVia?(caseName: string): string | undefined;
}
