/**
 * One token per integration, end to end over HTTP against the local runtime: each integration's token opens only
 * its own source, a revoked integration's token gets 404 while the others keep working, the single ingest token
 * keeps working as the `default` integration until it is revoked too, tokens survive a restart, and the decision
 * trace names the integration an alert came through.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { loadFixture } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { pagingConfig, readIncidents } from './harness';

const withIntegrations = (extra: object[] = []) => parsePipelineConfig({
  ...pagingConfig(),
  integrations: [
    { name: 'ts-prod', source: 'threatstack' },
    { name: 'am-eu', source: 'alertmanager' },
    { name: 'am-old', source: 'alertmanager', revoked: true },
    { name: 'office-only', source: 'alertmanager', allowedIps: ['198.51.100.0/24'] },
    ...extra,
  ],
});

describe('integration tokens over HTTP (local runtime)', () => {
  let rt: TestRuntime;
  let dataDir: string;
  const ts = () => loadFixture('threatstack', 'bare-alert');
  const am = () => loadFixture('alertmanager', 'firing-and-resolved');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'alert-pipeline-int-'));
    rt = await startTestRuntime({ config: withIntegrations(), dataDir, sweepIntervalMs: 0 });
  });
  afterAll(async () => {
    await rt?.drain();
    await rt?.escalations?.idle();
    await rt?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates one token per integration into local-secrets.json, each different from the ingest token', () => {
    const stored = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as { integrations: Record<string, { current: string }> };
    expect(Object.keys(stored.integrations).sort()).toEqual(['am-eu', 'am-old', 'office-only', 'ts-prod']);
    const tokens = new Set([rt.ingestToken, ...Object.values(rt.integrationTokens)]);
    expect(tokens.size).toBe(5);
    expect(rt.integrationTokens['am-eu']).toBe(stored.integrations['am-eu']!.current);
  });

  it('a revoked integration token gets 404 while the others keep working', async () => {
    const queued = rt.queue.size;
    expect((await rt.post(`/ingest/alertmanager/${rt.integrationTokens['am-old']}`, am())).status).toBe(404);
    expect(rt.queue.size).toBe(queued);
    expect((await rt.post(`/ingest/alertmanager/${rt.integrationTokens['am-eu']}`, am())).status).toBe(200);
    expect((await rt.post(`/ingest/threatstack/${rt.integrationTokens['ts-prod']}`, ts())).status).toBe(200);
    // The single ingest token: the default integration (another alert, so it is not a duplicate delivery).
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, { ...(ts() as object), id: 'sent-with-the-ingest-token' })).status).toBe(200);
  });

  it('a token opens only its own source (404 elsewhere, before the body is read)', async () => {
    expect((await rt.post(`/ingest/threatstack/${rt.integrationTokens['am-eu']}`, ts())).status).toBe(404);
    expect((await rt.post(`/ingest/alertmanager/${rt.integrationTokens['ts-prod']}`, am())).status).toBe(404);
    expect((await rt.post(`/ingest/cloudwatch/${rt.integrationTokens['ts-prod']}`, '{}')).status).toBe(404);
  });

  it('answers 403 naming the integration for a sender outside its allowedIps', async () => {
    const res = await rt.post(`/ingest/alertmanager/${rt.integrationTokens['office-only']}`, am());
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('integration "office-only"');
  });

  it('the decision trace names the integration an alert came through', async () => {
    await rt.drain();
    const { incidents } = await readIncidents(rt);
    const traces = await Promise.all(incidents.map(async (i) => (await rt.get(`/api/incidents/${i.id}`)).body.alerts.map((a: any) => a.trace.steps[0])));
    const received = traces.flat().filter((s: any) => s.outcome === 'received').map((s: any) => s.data.integration);
    expect(new Set(received)).toEqual(new Set(['am-eu', 'ts-prod', 'default']));
  });

  it('rotates a token: the new one works at once, the previous one within its grace period, and the file keeps both', async () => {
    const before = rt.integrationTokens['am-eu']!;
    await rt.rotateIntegrationToken('am-eu');
    const after = rt.integrationTokens['am-eu']!;
    expect(after).not.toBe(before);
    expect((await rt.post(`/ingest/alertmanager/${after}`, am())).status).toBe(200);
    expect((await rt.post(`/ingest/alertmanager/${before}`, am())).status).toBe(200);
    const stored = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as { integrations: Record<string, Record<string, string>> };
    expect(stored.integrations['am-eu']).toMatchObject({ current: after, previous: before });
    expect(Date.parse(stored.integrations['am-eu']!.previousValidUntil!) - Date.now()).toBeGreaterThan(23 * 3_600_000);
  });

  it('keeps the tokens across a restart; `{ name: default, revoked: true }` turns the single ingest token off', async () => {
    const before = { ...rt.integrationTokens };
    const ingestToken = rt.ingestToken;
    await rt.drain();
    await rt.stop();
    rt = await startTestRuntime({ config: withIntegrations([{ name: 'default', revoked: true }]), dataDir, sweepIntervalMs: 0 });
    expect(rt.integrationTokens).toEqual(before);
    expect((await rt.post(`/ingest/threatstack/${ingestToken}`, ts())).status).toBe(404);
    expect((await rt.post(`/ingest/threatstack/${rt.integrationTokens['ts-prod']}`, ts())).status).toBe(200);
  });
});
