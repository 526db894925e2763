/**
 * The decision trace viewer shows, per alert, the ordered routing and tagging rules with the one that matched and
 * the ones before it that did not. A trace records only what matched (or failed), so the incident read answers the
 * rules of the running config in evaluation order next to the alerts.
 */
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }, { name: 'security' }],
  services: [{ name: 'platform', team: 'platform' }, { name: 'security', team: 'security' }, { name: 'db', team: 'platform' }],
  routing: { default: { service: 'platform' } },
  rules: {
    tagging: [
      { name: 'never-tags', when: 'alert.title.contains("nothing-like-this")', tags: { x: 'y' } },
      { name: 'checkout-team', explanation: 'checkout alarms', when: 'alert.title.contains("checkout")', tags: { team: 'checkout' } },
    ],
    routing: [
      { name: 'db-first', when: 'alert.title.contains("database")', route: { service: 'db' } },
      { name: 'checkout-to-security', explanation: 'for the test', when: '"team" in tags && tags.team == "checkout"', route: { service: 'security' } },
      { name: 'after-the-match', when: 'true', route: { service: 'db' } },
    ],
    suppression: [{ name: 'quiet', when: 'alert.title.contains("quiet")', reason: 'never' }],
  },
});

describe('GET /api/incidents/{id}: the rules the trace viewer lays out', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ config });
  });
  afterAll(async () => rt?.cleanup());

  it('answers the tagging, routing and suppression rules in evaluation order with the default route', async () => {
    const body = { routing_key: rt.ingestToken, event_action: 'trigger', dedup_key: 'checkout-1', payload: { summary: 'checkout latency high', source: 'web-1', severity: 'error' } };
    expect((await rt.post('/ingest/events/v2', body)).status).toBe(202);
    await rt.drain();
    const [inc] = (await rt.get('/api/incidents')).body.incidents;
    expect(inc.route).toMatchObject({ service: 'security', rule: 'checkout-to-security' });
    const detail = await rt.get(`/api/incidents/${inc.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.rules).toEqual({
      tagging: [
        { name: 'never-tags', when: 'alert.title.contains("nothing-like-this")' },
        { name: 'checkout-team', explanation: 'checkout alarms', when: 'alert.title.contains("checkout")' },
      ],
      routing: [
        { name: 'db-first', when: 'alert.title.contains("database")', service: 'db' },
        { name: 'checkout-to-security', explanation: 'for the test', when: '"team" in tags && tags.team == "checkout"', service: 'security' },
        { name: 'after-the-match', when: 'true', service: 'db' },
      ],
      suppression: [{ name: 'quiet', when: 'alert.title.contains("quiet")' }],
      defaultRoute: { service: 'platform' },
    });
    // The trace names the routing rule that matched, so the viewer can mark the one before it as not matching.
    const route = detail.body.alerts[0].trace.steps.find((s: any) => s.stage === 'route');
    expect(route).toMatchObject({ outcome: 'matched', data: { rule: 'checkout-to-security' } });
  });
});
