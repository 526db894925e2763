/**
 * The local runtime's integration tokens: one per configured integration, generated into
 * `DATA_DIR/local-secrets.json` (`integrations: {<name>: {"current": ...}}`, the secret shape of AWS) and kept across
 * restarts; the `default` integration is the ingest token (INGEST_TOKEN).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_INTEGRATION, integrationEndpoints, ownTokenIntegrations, type IntegrationConfig } from '../core/integrations/config';
import { isSourceName } from '../core/normalize/registry';
import { tokensOfSecret } from '../core/integrations/tokens';

/** The stored integration secrets, with a new token for every configured integration that has none yet. */
export function withIntegrationTokens(stored: unknown, integrations: readonly IntegrationConfig[], newToken: () => string): Record<string, unknown> {
  const out: Record<string, unknown> = stored !== null && typeof stored === 'object' ? { ...(stored as Record<string, unknown>) } : {};
  for (const i of ownTokenIntegrations(integrations)) if (tokensOfSecret(out[i.name]).length === 0) out[i.name] = { current: newToken() };
  delete out[DEFAULT_INTEGRATION];
  return out;
}

/** The current token of each integration (for the banner and tests). */
export function currentTokens(secrets: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).flatMap(([name, s]) => {
    const current = tokensOfSecret(s)[0]?.value;
    return current === undefined ? [] : [[name, current]];
  }));
}

/** Banner lines: every live integration's URL with its real local token. */
export function integrationBannerLines(baseUrl: string, integrations: readonly IntegrationConfig[], tokens: Readonly<Record<string, string>>): string[] {
  return ownTokenIntegrations(integrations).flatMap((i) => {
    const token = tokens[i.name];
    if (!i.source || !isSourceName(i.source)) return [];
    const label = `  ${`${i.name}:`.padEnd(19)} `;
    if (i.revoked || token === undefined) return [`${label}revoked (404)`];
    return integrationEndpoints(i.source).map((e) =>
      e.token === 'path' ? `${label}POST ${baseUrl}${e.path.replace('{token}', token)}` : `${label}POST ${baseUrl}${e.path}   (routing_key = ${token})`);
  });
}

/** Writes the integration secrets back into local-secrets.json (after a local rotation), keeping everything else. */
export function persistIntegrationSecrets(file: string, integrations: Readonly<Record<string, unknown>>): void {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...stored, integrations }, null, 2), { mode: 0o600 });
}
