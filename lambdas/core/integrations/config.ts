/**
 * The `integrations:` section of the pipeline config: one entry per sender (a Threat Stack organization, an
 * Alertmanager, a PagerDuty-compatible tool), each with its own secret token that opens only its own source.
 * `default` is the implicit integration of the single ingest token of earlier versions: it opens every source until
 * an entry `{ name: default, revoked: true }` turns it off (docs/deploy.md, "Integrations and token rotation").
 */
import * as z from 'zod/mini';
import { EVENTBRIDGE_INGEST_PATH, SOURCE_ROUTES, SOURCES, isSourceName, type SourceName } from '../normalize/registry';
import { parseCidr, type Cidr } from './cidr';

/** The implicit integration of the single ingest token: every source. */
export const DEFAULT_INTEGRATION = 'default';

/** Hours a rotated-out token keeps working unless an integration sets `rotationGraceHours`. */
export const DEFAULT_ROTATION_GRACE_HOURS = 24;

const integrationName = z.string().check(
  z.minLength(1), z.maxLength(48), z.regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and "-" (the name is part of a secret name and an output id)'),
);

const cidr = z.string().check(z.refine((s) => parseCidr(s) !== null, 'expected an IPv4 or IPv6 address or CIDR block such as 203.0.113.0/24'));

export const IntegrationSchema = z.strictObject({
  name: integrationName,
  /** The source whose routes the token opens (a name of the source registry); `default` has none: every source. */
  source: z.optional(z.string()),
  description: z.optional(z.string().check(z.maxLength(200))),
  /** When set, requests from other addresses get 403 (CIDR blocks or single addresses, IPv4 and IPv6). */
  allowedIps: z._default(z.array(cidr), []),
  /** A revoked integration's token is refused (404) while every other integration keeps working. */
  revoked: z._default(z.boolean(), false),
  /** After a rotation, the previous token keeps working this long (hours). */
  rotationGraceHours: z._default(z.int().check(z.minimum(0), z.maximum(24 * 30)), DEFAULT_ROTATION_GRACE_HOURS),
});

export const IntegrationsSchema = z.array(IntegrationSchema);
export type IntegrationConfig = z.infer<typeof IntegrationSchema>;

/** An integration as the ingest side uses it: `source` null means every source (the default integration). */
export interface Integration {
  name: string;
  source: SourceName | null;
  allowedIps: readonly Cidr[];
  revoked: boolean;
  rotationGraceHours: number;
}

/** Problems the shape cannot express: unique names, known sources, `default` without a source. */
export function integrationConfigProblems(list: readonly IntegrationConfig[]): Array<{ path: PropertyKey[]; message: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  const seen = new Set<string>();
  list.forEach((i, n) => {
    if (seen.has(i.name)) problems.push({ path: ['integrations', n, 'name'], message: `duplicate integration "${i.name}"` });
    seen.add(i.name);
    if (i.name === DEFAULT_INTEGRATION) {
      if (i.source !== undefined) {
        problems.push({ path: ['integrations', n, 'source'], message: `"${DEFAULT_INTEGRATION}" is the single ingest token of every source: it takes no source` });
      }
    } else if (i.source === undefined) {
      problems.push({ path: ['integrations', n, 'source'], message: `required (sources: ${SOURCES.join(', ')})` });
    } else if (!isSourceName(i.source)) {
      problems.push({ path: ['integrations', n, 'source'], message: `unknown source "${i.source}" (sources: ${SOURCES.join(', ')})` });
    }
  });
  return problems;
}

/**
 * Every integration of a config, the implicit `default` included (first; as configured when the config lists it).
 */
export function integrationsOf(list: readonly IntegrationConfig[]): Integration[] {
  const of = (i: IntegrationConfig): Integration => ({
    name: i.name,
    source: i.name === DEFAULT_INTEGRATION || i.source === undefined || !isSourceName(i.source) ? null : i.source,
    allowedIps: i.allowedIps.map((s) => parseCidr(s)).filter((c): c is Cidr => c !== null),
    revoked: i.revoked,
    rotationGraceHours: i.rotationGraceHours,
  });
  const listed = list.find((i) => i.name === DEFAULT_INTEGRATION);
  const implicit: IntegrationConfig = { name: DEFAULT_INTEGRATION, allowedIps: [], revoked: false, rotationGraceHours: DEFAULT_ROTATION_GRACE_HOURS };
  return [of(listed ?? implicit), ...list.filter((i) => i.name !== DEFAULT_INTEGRATION).map(of)];
}

/** The integrations that have a secret of their own (everything but `default`, which uses the ingest token). */
export function ownTokenIntegrations(list: readonly IntegrationConfig[]): IntegrationConfig[] {
  return list.filter((i) => i.name !== DEFAULT_INTEGRATION);
}

/** Where an integration's sender posts: the path (`{token}` the integration's token) or the body's `routing_key`. */
export interface IntegrationEndpoint {
  path: string;
  token: 'path' | 'routing_key';
}

/** The ingest endpoints of a source's integration: its routes, or the EventBridge route for an EventBridge-only source. */
export function integrationEndpoints(source: SourceName): IntegrationEndpoint[] {
  const routes = SOURCE_ROUTES.filter((r) => r.source === source).map(({ route }): IntegrationEndpoint => ({
    path: route.path,
    token: route.auth === 'routing-key' ? 'routing_key' : 'path',
  }));
  return routes.length > 0 ? routes : [{ path: EVENTBRIDGE_INGEST_PATH, token: 'path' }];
}
