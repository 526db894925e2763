/**
 * 1,000 concurrent deliveries over HTTP: of one alert (a sender retrying, SNS/SQS redelivering), and of 1,000
 * distinct alerts of one fingerprint (a storm on one key). Each must make exactly one incident and one page; the
 * duplicates count once, the distinct alerts count 1,000 times.
 */
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { pagesByIncident, pagingConfig, readIncidents } from './harness';

const DELIVERIES = 1000;

const alert = (id: string) => ({
  id,
  title: 'Unexpected outbound connection: curl to 203.0.113.77 by ubuntu',
  created_at: 1718028000123,
  severity: 1,
  organization_id: '5f0e1d2c3b4a596877665544',
  server_or_region: 'ip-10-0-1-23',
  source: 'Host',
});

describe('1,000 concurrent deliveries', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await startTestRuntime({ config: pagingConfig(), sweepIntervalMs: 0 });
  });
  afterEach(async () => rt.cleanup());

  const deliverAll = async (bodyOf: (i: number) => unknown) => {
    const results = await Promise.all(Array.from({ length: DELIVERIES }, (_, i) => rt.post(`/ingest/threatstack/${rt.ingestToken}`, bodyOf(i))));
    expect(results.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    await rt.drain(60_000);
    await rt.escalations?.idle();
  };

  it('of the same alert: one incident, counted once, paged once', async () => {
    const one = alert('dup-000001');
    await deliverAll(() => one);
    const { incidents, logged } = await readIncidents(rt);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.alertCount).toBe(1);
    expect(logged).toEqual(['ts:dup-000001']);
    expect([...pagesByIncident(rt)]).toEqual([[incidents[0]!.id, 1]]);
    expect(rt.deadLetterQueue.size).toBe(0);
    expect(rt.escalations?.transitions.size ?? 0).toBe(0); // paged inline, no execution started on the side
  }, 60_000);

  it('of distinct alerts of one fingerprint: one incident, counted 1,000 times, paged once', async () => {
    await deliverAll((i) => alert(`storm-${String(i).padStart(6, '0')}`));
    const { incidents } = await readIncidents(rt);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.alertCount).toBe(DELIVERIES);
    expect([...pagesByIncident(rt)]).toEqual([[incidents[0]!.id, 1]]);
    expect(rt.deadLetterQueue.size).toBe(0);
  }, 60_000);
});
