/**
 * Which integration an ingest request comes through: its token, looked up in constant time among the integrations
 * that open the request's source (core/integrations/tokens.ts), then the integration's IP allow-list.
 * Unknown, revoked or another source's token: 404 (a NotFoundError, as for any unknown endpoint); a sender outside
 * `allowedIps`: 403 naming the reason.
 */
import { AuthenticationError, NotFoundError, TransientError } from '../errors';
import type { SourceName } from '../normalize/registry';
import type { IntegrationSecrets } from '../ports';
import { addressAllowed } from './cidr';
import type { Integration } from './config';
import { acceptedTokens, matchToken, tokensOfSecret } from './tokens';

export interface IngestCredentials {
  /** The source of the route; null when the route serves several and the body says which (checked with `covers`). */
  source: SourceName | null;
  /** The presented token (path parameter or Events v2 routing_key). */
  token: string | undefined | null;
  /** The sender's address as API Gateway (or the local server) saw it. */
  sourceIp: string | undefined;
  nowMs: number;
}

/** Whether an integration's token opens a source's routes. */
export function covers(integration: Integration, source: SourceName): boolean {
  return integration.source === null || integration.source === source;
}

export interface IngestAuthenticator {
  /** The integration of a request's token; throws NotFoundError (unknown) or AuthenticationError (IP). */
  authenticate(request: IngestCredentials): Promise<Integration>;
  /** Whether a token matches any live integration (the local server's check before reading a body). */
  known(token: string | undefined, nowMs: number): Promise<boolean>;
}

export const NO_SUCH_ENDPOINT = 'no such ingestion endpoint';

export function ingestAuthenticator(integrations: readonly Integration[], secrets: IntegrationSecrets): IngestAuthenticator {
  const live = integrations.filter((i) => !i.revoked);

  /** Reads the candidates' secrets; a secret that cannot be read counts as a failure, not as "no token". */
  const lookup = async (candidates: readonly Integration[], token: string | undefined | null, nowMs: number, fresh: boolean) => {
    const read = await Promise.allSettled(candidates.map((i) => secrets.secret(i.name, { fresh })));
    const entries = candidates.map((i, n) => {
      const r = read[n]!;
      return { key: i, tokens: r.status === 'fulfilled' ? acceptedTokens(tokensOfSecret(r.value), nowMs) : [] };
    });
    const failed = read.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    return { match: matchToken(token, entries), failed };
  };

  const find = async (candidates: readonly Integration[], token: string | undefined | null, nowMs: number): Promise<Integration | null> => {
    if (candidates.length === 0) return null;
    let r = await lookup(candidates, token, nowMs, false);
    // A miss re-reads secrets cached for more than a few seconds: a sender may use a token rotated in just now.
    if (!r.match) r = await lookup(candidates, token, nowMs, true);
    if (!r.match && r.failed.length > 0) throw new TransientError('the integration tokens could not be read', { cause: r.failed[0]!.reason });
    return r.match;
  };

  return {
    async authenticate({ source, token, sourceIp, nowMs }) {
      const candidates = live.filter((i) => source === null || covers(i, source));
      const integration = await find(candidates, token, nowMs);
      if (!integration) throw new NotFoundError(NO_SUCH_ENDPOINT);
      if (integration.allowedIps.length > 0 && !addressAllowed(sourceIp, integration.allowedIps)) {
        throw new AuthenticationError(`source IP ${sourceIp ?? '(unknown)'} is not in the allowedIps of integration "${integration.name}"`, { code: 'source_ip_not_allowed' });
      }
      return integration;
    },
    async known(token, nowMs) {
      try {
        return (await find(live, token, nowMs)) !== null;
      } catch {
        return true; // unreadable secrets: let the handler answer (503), not a misleading 404
      }
    },
  };
}
