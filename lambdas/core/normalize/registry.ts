/**
 * The source registry: one line per source. Everything else the pipeline knows about sources is derived from it:
 * the HTTP ingest routes (handlers/routes.ts) and their dispatch (handlers/ingest-http.ts), the EventBridge event
 * types of `POST /ingest/eventbridge/{token}` and of the EventBridge ingest function, the `sources.*` section of the
 * config schema, simulation and replay (simulate/normalize-raw.ts), the local banner, the stack's outputs and
 * EventBridge rules, and the fixture table test. To add a source: its module exporting a `SourceDescriptor`, one
 * line here, fixtures and docs (docs/architecture.md, "How to add a source").
 */
import { invalidField } from './shared';
import type { EventBridgeType, IngestRoute, PreparedSource, SourceDescriptor } from './source';
import { ALERTMANAGER_SOURCE } from './alertmanager';
import { CLOUDWATCH_SOURCE } from './cloudwatch';
import { EVENTS_V2_SOURCE } from './events-v2';
import { GUARDDUTY_SOURCE } from './guardduty';
import { SECURITYHUB_SOURCE } from './securityhub';
import { THREATSTACK_SOURCE } from './threatstack';
import { WEBHOOK_SOURCE } from './webhook';

export const SOURCE_REGISTRY = {
  threatstack: THREATSTACK_SOURCE,
  cloudwatch: CLOUDWATCH_SOURCE,
  'events-v2': EVENTS_V2_SOURCE,
  alertmanager: ALERTMANAGER_SOURCE,
  webhook: WEBHOOK_SOURCE,
  guardduty: GUARDDUTY_SOURCE,
  securityhub: SECURITYHUB_SOURCE,
} as const;

type Registry = typeof SOURCE_REGISTRY;
export type SourceName = keyof Registry;
/** A descriptor of any source (its options type erased). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySourceDescriptor = SourceDescriptor<any>;

/** Every source name, in registry order. */
export const SOURCES = Object.keys(SOURCE_REGISTRY) as [SourceName, ...SourceName[]];
export const SOURCE_DESCRIPTORS: readonly AnySourceDescriptor[] = Object.values(SOURCE_REGISTRY);

/** Sources whose alerts are states of one thing: for them the newest state change wins (`alertsAre: 'states'`). */
export const STATEFUL_SOURCES: ReadonlySet<string> = new Set(SOURCE_DESCRIPTORS.filter((d) => d.alertsAre === 'states').map((d) => d.name));

export function isSourceName(value: unknown): value is SourceName {
  return typeof value === 'string' && Object.hasOwn(SOURCE_REGISTRY, value);
}

export function sourceDescriptor(name: SourceName): AnySourceDescriptor {
  return SOURCE_REGISTRY[name];
}

type OptionEntry = {
  [K in keyof Registry]: Registry[K] extends { options: { key: infer Key extends string; schema: infer S } } ? [Key, S] : never;
}[keyof Registry];
/** The zod shape of the config's `sources` section: `sources.<key>` for every source with options. */
export type SourceOptionsShape = { [E in OptionEntry as E[0]]: E[1] };

export const SOURCE_OPTIONS_SHAPE = Object.fromEntries(
  SOURCE_DESCRIPTORS.flatMap((d) => (d.options ? [[d.options.key, d.options.schema] as const] : [])),
) as SourceOptionsShape;

/** A config's `sources` section, as the registry reads it. */
export type SourcesSection = Readonly<Record<string, unknown>>;

/** The options of one source in a config's `sources` section (undefined for a source without options). */
export function sourceOptionsOf(d: AnySourceDescriptor, sources: SourcesSection): unknown {
  return d.options ? sources[d.options.key] : undefined;
}

const prepared = new WeakMap<SourcesSection, Map<string, PreparedSource>>();

/** The prepared normalizer of a source for a config's `sources` section (prepared once per section). */
export function preparedSource(name: SourceName, sources: SourcesSection): PreparedSource {
  let byName = prepared.get(sources);
  if (!byName) {
    byName = new Map();
    prepared.set(sources, byName);
  }
  let p = byName.get(name);
  if (!p) {
    const d = sourceDescriptor(name);
    p = d.prepare(sourceOptionsOf(d, sources));
    byName.set(name, p);
  }
  return p;
}

/** An HTTP ingest route with the source that owns it. */
export interface SourceRoute {
  source: SourceName;
  route: IngestRoute;
}

/** Every source's HTTP ingest routes, in registry order. */
export const SOURCE_ROUTES: readonly SourceRoute[] = SOURCES.flatMap((source) => SOURCE_REGISTRY[source].routes.map((route: IngestRoute) => ({ source, route })));

/** The route that takes any EventBridge event of a registered type (API destinations, the local runtime). */
export const EVENTBRIDGE_INGEST_PATH = '/ingest/eventbridge/{token}';
/** The `via` of every EventBridge delivery (the Lambda target and the HTTP route alike). */
export const EVENTBRIDGE_VIA = 'eventbridge';

/** An EventBridge event type with the source that accepts it. */
export interface SourceEventType {
  source: SourceName;
  type: EventBridgeType;
}

export const SOURCE_EVENT_TYPES: readonly SourceEventType[] = SOURCES.flatMap((source) => {
  const d: AnySourceDescriptor = SOURCE_REGISTRY[source];
  return (d.eventBridge ?? []).map((type) => ({ source, type }));
});

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The source and event type of an EventBridge event, from its `source` and `detail-type`. An event that is not an
 * EventBridge envelope, or of a pair no source accepts, is an InvalidPayloadError naming the field.
 */
export function eventTypeOf(event: unknown): SourceEventType {
  if (!isRecord(event)) throw invalidField('', 'expected an EventBridge event (JSON object)');
  const source = event.source;
  const detailType = event['detail-type'];
  if (typeof source !== 'string') throw invalidField('source', 'expected string');
  if (typeof detailType !== 'string') throw invalidField('detail-type', 'expected string');
  const match = SOURCE_EVENT_TYPES.find((t) => t.type.source === source && t.type.detailType === detailType);
  if (!match) {
    const accepted = SOURCE_EVENT_TYPES.map((t) => `${t.type.source} "${t.type.detailType}"`).join(', ');
    throw invalidField('detail-type', `no source accepts EventBridge events of source ${JSON.stringify(source)} and detail-type ${JSON.stringify(detailType)} (accepted: ${accepted})`);
  }
  return match;
}
