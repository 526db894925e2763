/**
 * `npm start`: runs the pipeline locally on the embedded stack. Environment (README.md §Try it locally):
 * PORT, DATA_DIR, PIPELINE_CONFIG, API_TOKEN, INGEST_TOKEN, SNS_SIGNATURE_CHECK=off.
 */
import './check-node-version'; // first: stops with a clear message on an unsupported Node.js
import './favor-memory'; // V8 favours a small heap: the storm's peak resident memory was uncollected garbage
import { resolve } from 'node:path';
import { loadPipelineConfig, DEFAULT_CONFIG_PATH } from '../../lib/config/load-pipeline-config';
import { ConfigError } from '../core/errors';
import { EVENTBRIDGE_INGEST_PATH, SOURCE_ROUTES } from '../core/normalize/registry';
import { ensureConsoleBuilt } from '../../lib/console/build-console';
import { startLocalRuntime, type LocalRuntime } from './runtime';
import { integrationBannerLines } from './local-integrations';
import { DEFAULT_INTEGRATION } from '../core/integrations/config';

// The SDK warns on Node 20 at every start; the README says Node 22+ is recommended.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * The web console at `/`: built here when missing or stale (a fresh clone needs no second command). Without it (no
 * dev dependencies installed) the pipeline still runs and `/` says how to build it.
 */
function buildConsoleIfStale(): void {
  try {
    const started = Date.now();
    if (ensureConsoleBuilt().built) console.log(`web console built (web/dist) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.warn(`web console not built: ${(err as Error).message}`);
  }
}

/** The banner's human API part: the admin API token and each configured person's token with their role. */
function humanApiLines(rt: LocalRuntime): string[] {
  return [
    'Human API (Authorization: Bearer <token>; roles viewer < responder < admin, a wrong role is a 403):',
    `  API token:      ${rt.apiToken}   (admin)`,
    ...Object.entries(rt.userTokens).map(([name, token]) => {
      const role = rt.config.people.find((p) => p.name === name)?.role ?? 'viewer';
      return `  ${`${name}:`.padEnd(16)}${token}   (${role}; acts as ${name})`;
    }),
    `  curl -H "Authorization: Bearer ${rt.apiToken}" ${rt.url}/api/incidents`,
    `  (the person tokens are in ${rt.dataDir}/local-secrets.json "users"; GET /api/me says who a token is)`,
  ];
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw ConfigError.problem(`PORT must be a port number, got ${process.env.PORT}`);
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const configPath = process.env.PIPELINE_CONFIG ?? DEFAULT_CONFIG_PATH;
  const check = (process.env.SNS_SIGNATURE_CHECK ?? 'on').toLowerCase();
  if (check !== 'on' && check !== 'off') throw ConfigError.problem(`SNS_SIGNATURE_CHECK must be "on" or "off", got ${process.env.SNS_SIGNATURE_CHECK}`);

  const timeScale = Number(process.env.LOCAL_TIME_SCALE ?? 1);
  if (!Number.isFinite(timeScale) || timeScale < 1) throw ConfigError.problem(`LOCAL_TIME_SCALE must be a number >= 1, got ${process.env.LOCAL_TIME_SCALE}`);
  const config = loadPipelineConfig(configPath);
  buildConsoleIfStale();
  const rt = await startLocalRuntime({
    config,
    dataDir,
    port,
    apiToken: process.env.API_TOKEN, ingestToken: process.env.INGEST_TOKEN,
    snsSignatureCheck: check === 'on',
    timeScale,
    processorThread: true, // the processor on its own thread, apart from ingest (as in AWS)
  });

  const t = rt.ingestToken;
  const defaultRevoked = rt.config.integrations.some((i) => i.name === DEFAULT_INTEGRATION && i.revoked);
  const lines = [
    '',
    `alert pipeline running locally at ${rt.url}`,
    `  config:      ${resolve(configPath)}`,
    `  data:        ${rt.dataDir}  (embedded DynamoDB, durable queue, raw archive; survives restarts)`,
    '',
    'Ingestion URLs (the token in the path is the credential):',
    ...SOURCE_ROUTES.flatMap(({ route }) => {
      if (!route.banner) return [];
      const note =
        route.auth === 'sns-signature' ? `   (SNS signature check: ${rt.snsSignatureCheck ? 'ON' : 'OFF (SNS_SIGNATURE_CHECK=off)'})`
        : route.auth === 'routing-key' ? `   (routing_key = ${t})`
        : '';
      return [`  ${`${route.banner}:`.padEnd(16)}POST ${rt.url}${route.path.replace('{token}', t)}${note}`];
    }),
    `  ${'EventBridge:'.padEnd(16)}POST ${rt.url}${EVENTBRIDGE_INGEST_PATH.replace('{token}', t)}   (any EventBridge event of a registered source and detail-type)`,
    `  Alarm topic:    POST ${rt.url}/local/alarm-topic/${t}   (local stand-in for the stack's SNS alarm topic)`,
    `  Alarm tags:     ${rt.config.cloudwatchAlarms.enrichment ? `${Object.keys(rt.config.cloudwatchAlarms.local).length} alarm(s) in cloudwatchAlarms.local (the stand-in for CloudWatch's tags and states)` : 'enrichment off (cloudwatchAlarms.enrichment)'}`,
    '',
    `Web console: ${rt.url}/   (sign in with the API token or a person's token below)`,
    '',
    ...(rt.config.integrations.some((i) => i.name !== DEFAULT_INTEGRATION) ? [
      `Integrations (each token opens only its own source; the URLs above are the "default" integration${defaultRevoked ? ', revoked: 404' : ''}):`,
      ...integrationBannerLines(rt.url, rt.config.integrations, rt.integrationTokens),
      '',
    ] : []),
    ...humanApiLines(rt),
    '',
    'Pages (escalation through the synthesized state machine) land in the local outbox:',
    `  curl -H "Authorization: Bearer ${rt.apiToken}" ${rt.url}/local/outbox     (each carries one-click /act links)`,
    `  escalation waits: ${timeScale === 1 ? 'real time (LOCAL_TIME_SCALE=60 makes minutes seconds)' : `divided by ${timeScale} (LOCAL_TIME_SCALE)`}`,
    '',
    ...(rt.config.statusPage ? [
      'Status page (public, rendered after every batch and API write):',
      `  ${rt.url}/status   ${rt.url}/status.json   ${rt.url}/status/feed.atom`,
      `  private (why each status): curl -H "Authorization: Bearer ${rt.apiToken}" ${rt.url}/status/private`,
      '',
    ] : []),
    'Send sample Threat Stack and CloudWatch alerts:',
    `  npm run send-samples    (reads URL and tokens from ${rt.dataDir}/local-secrets.json; or set BASE_URL, INGEST_TOKEN, API_TOKEN)`,
    '',
  ];
  if (!rt.snsSignatureCheck) lines.splice(2, 0, 'WARNING: SNS signature verification is OFF (SNS_SIGNATURE_CHECK=off): anyone with the token can post CloudWatch alarms.');
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (accepted alerts stay queued in ${rt.dataDir})`);
    await rt.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
