/**
 * Stage "normalize", source: generic JSON webhooks (`sources.webhooks[]`, `POST /ingest/webhook/{name}/{token}`).
 * Each webhook config maps any JSON body to alerts with CEL expressions over `payload` (the body, or one element of
 * the list its `alerts` expression returns). The expressions are compiled once per webhook (`compileWebhook`, in
 * webhook-mapping.ts, the one normalizer module that imports CEL: loaded only when a config has webhooks).
 *
 * Identity fields: webhook, fingerprint (the `fingerprint` expression's result). Resolve: the `action` expression
 * returns "resolve". Delivery key: the `deliveryKey` expression's result, else the request id and the alert's index.
 * A body the mapping cannot read is an InvalidPayloadError naming the mapping field (`mapping.severity`).
 */
import type * as z from 'zod/mini';
import { NotFoundError } from '../errors';
import { invalidField } from './shared';
import type { SourceDescriptor } from './source';
import { WEBHOOK_IDENTITY_FIELDS, WebhooksOptionsSchema, type WebhookNormalizer } from './webhook-config';

export { GenericWebhookSchema, WEBHOOK_IDENTITY_FIELDS, WebhooksOptionsSchema, type GenericWebhookConfig, type WebhookNormalizer } from './webhook-config';

const VIA_PREFIX = 'webhook:';

/**
 * The CEL side of webhooks (webhook-mapping.ts), evaluated on first call: a synchronous `require` inside a function,
 * which esbuild bundles into the same file but runs only when called (a top-level import would evaluate CEL at every
 * cold start of the ingest functions, webhooks or not).
 */
function loadMapping(): typeof import('./webhook-mapping') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./webhook-mapping') as typeof import('./webhook-mapping');
}

export const WEBHOOK_SOURCE = {
  name: 'webhook',
  displayName: 'Generic JSON webhook (field mapping declared in config with CEL)',
  identityFields: WEBHOOK_IDENTITY_FIELDS,
  fingerprintKey: 'wh:<webhook name>:<mapping.fingerprint>',
  alertsAre: 'states',
  resolveCondition: 'The mapped `action` is "resolve"; senders without resolves use sources.webhooks[].autoResolveAfterMinutes.',
  idempotencyKey: 'The mapped `deliveryKey` (`wh:<webhook>:<value>`), or the request id and position when none is mapped (every delivery counts).',
  exampleFixture: 'test/fixtures/events/webhook/uptime-down.json',
  formatsSection: 'docs/rules.md (generic webhooks)',
  options: { key: 'webhooks' as const, schema: WebhooksOptionsSchema },
  routes: [{ path: '/ingest/webhook/{name}/{token}', auth: 'path-token', via: `${VIA_PREFIX}{name}` }],
  prepare: (webhooks) => {
    // The CEL mappings are compiled once, here (a mapping that does not compile is a ConfigError now, not later);
    // without webhooks, CEL is not even loaded.
    const compile = webhooks.length > 0 ? loadMapping().compileWebhook : null;
    const byName = new Map<string, WebhookNormalizer>(compile ? webhooks.map((w) => [w.name, compile(w)]) : []);
    const normalizerOf = (name: string): WebhookNormalizer | undefined => byName.get(name);
    return {
      normalize: (via, body, ctx) => {
        const name = via?.startsWith(VIA_PREFIX) ? via.slice(VIA_PREFIX.length) : undefined;
        if (!name) throw invalidField('', `a webhook body needs via "webhook:<name>" (got ${via === undefined ? 'none' : `"${via}"`})`);
        const normalize = normalizerOf(name);
        if (!normalize) {
          const known = webhooks.map((w) => w.name);
          throw invalidField('', `no webhook "${name}" in this config (webhooks: ${known.length ? known.join(', ') : 'none'})`);
        }
        return normalize(body, ctx);
      },
      admit: ({ via }) => {
        if (!normalizerOf(via.slice(VIA_PREFIX.length))) throw new NotFoundError('no such ingestion endpoint');
      },
    };
  },
} satisfies SourceDescriptor<z.infer<typeof WebhooksOptionsSchema>>;
