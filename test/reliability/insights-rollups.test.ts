/**
 * Rollups and history end to end on the local runtime (docs/insights.md §Rollups, §History): incidents resolved by
 * the source (processor), by a person (API) and still open; the dashboard for the day answers from rollups with the
 * same counts as over the incidents, a second resolve adds nothing, and each resolved incident has its JSON line
 * under DATA_DIR/history/dt=<day>/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  routing: { default: { service: 'platform' } },
  rules: {
    tagging: [{ name: 'env-prod', when: 'true', tags: { env: 'prod' } }],
    suppression: [{ name: 'noisy-canary', when: 'alert.labels.?alarm_name.orValue("") == "canary-cpu-high"', reason: 'canary CPU flaps during deploys' }],
  },
  insights: { history: { enabled: true, retainDays: 30 } },
});

const message = (name: string, state: 'ALARM' | 'OK', at: Date) => {
  const envelope = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'cloudwatch', 'sns-https-metric-alarm.json'), 'utf8'));
  const msg = JSON.parse(envelope.Message);
  return { ...msg, AlarmName: name, AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`, NewStateValue: state, StateChangeTime: at.toISOString().replace('Z', '+0000') };
};

describe('rollups and history on the local runtime', () => {
  let rt: TestRuntime;
  let dataDir: string;
  beforeEach(async () => {
    rt = await startTestRuntime({ config });
    dataDir = rt.dataDir;
  });
  afterEach(async () => rt.cleanup());

  it('answers the day from rollups as over the incidents, counts a resolve once, and writes the history', async () => {
    const t = Date.now() - 10 * 60_000;
    const send = async (name: string, state: 'ALARM' | 'OK', minutes: number) => {
      expect((await rt.post(`/local/alarm-topic/${rt.ingestToken}`, message(name, state, new Date(t + minutes * 60_000)))).status).toBe(200);
      await rt.drain();
    };
    await send('checkout-5xx-rate', 'ALARM', 0);
    await send('checkout-5xx-rate', 'ALARM', 1); // joins
    await send('checkout-5xx-rate', 'OK', 2); // resolved by the source (processor)
    await send('disk-full', 'ALARM', 3);
    await send('queue-depth', 'ALARM', 4); // stays open
    await send('canary-cpu-high', 'ALARM', 5); // suppressed
    const list = (await rt.get('/api/incidents')).body.incidents as Array<Record<string, any>>;
    const byTitle = (s: string) => list.find((i) => i.title.includes(s))!;
    expect((await rt.apiPost(`/api/incidents/${byTitle('disk-full').id}/resolve`, { note: 'freed space' })).status).toBe(200);
    expect((await rt.apiPost(`/api/incidents/${byTitle('disk-full').id}/resolve`, {})).status).toBe(409);

    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const q = `from=${day}T00:00:00Z&to=${next}T00:00:00Z&groupBy=service`;
    const rollups = (await rt.get(`/api/analytics?${q}`)).body;
    const incidents = (await rt.get(`/api/analytics?${q}&basis=incidents`)).body;
    expect(rollups.basis).toBe('rollups');
    expect(incidents.basis).toBe('incidents');
    expect(rollups.totals.counts).toEqual(incidents.totals.counts);
    expect(rollups.totals.counts).toMatchObject({ incidents: 3, alerts: 5, suppressed: 1, deduplicated: 1, autoResolved: 1, open: 1 });
    expect(rollups.groups.map((g: any) => [g.key, g.counts.incidents])).toEqual([['platform', 3]]);
    for (const d of ['mtta', 'mttr', 'mttk']) {
      expect(rollups.totals[d].count).toBe(incidents.totals[d].count);
      expect(rollups.totals[d].mean).toBe(incidents.totals[d].mean);
    }
    // Tagging rules in the noise table (over the incidents).
    expect(incidents.noise.rules.find((r: any) => r.key === 'tag-rule:env-prod')).toMatchObject({ incidents: 4 });

    for (const title of ['checkout-5xx-rate', 'disk-full']) {
      const inc = byTitle(title);
      const path = join(dataDir, 'history', `dt=${inc.openedAt.slice(0, 10)}`, `${inc.id}.json`);
      expect(existsSync(path)).toBe(true);
      const row = JSON.parse(readFileSync(path, 'utf8'));
      expect(row).toMatchObject({ incident_id: inc.id, status: 'resolved', service: 'platform', tagged_by: ['env-prod'] });
    }
    expect(existsSync(join(dataDir, 'history', `dt=${day}`, `${byTitle('queue-depth').id}.json`))).toBe(false);
  }, 60_000);
});
