/**
 * A small storm through the storm's faster paths, end to end on the local runtime (the processor on its own thread,
 * as `npm start` runs it): a batch's heads read together (BatchGetItem of first heads), the alert-log entries of its
 * new incidents written together before their heads, the inline page carrying the incident it pages (its only read
 * is the one right before the send) and recording its step apart from the head's version while the processor counts
 * followers on the same head. Every guarantee holds: each fingerprint one incident and exactly one page, every alert
 * counted once with its alert-log entry, the step recorded on every incident; redelivered bodies page nothing again,
 * and an acknowledged incident pages nothing more.
 */
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { pagesByIncident, pagingConfig, readIncidents } from './harness';

const FINGERPRINTS = 60;
const PER_FINGERPRINT = 10;
const PER_REQUEST = 20;

const alert = (fp: number, n: number) => ({
  id: `storm-${fp}-${n}`,
  title: `Storm ${fp}: unexpected outbound connection`,
  created_at: 1718028000000 + n * 1000 + fp,
  severity: 1,
  organization_id: '5f0e1d2c3b4a596877665544',
  server_or_region: `host-${fp}`,
  source: 'Host',
});

/** Every alert once, interleaved so each request carries many fingerprints and new ones keep arriving. */
function bodies(): Array<{ alerts: ReturnType<typeof alert>[] }> {
  const all = Array.from({ length: FINGERPRINTS * PER_FINGERPRINT }, (_, i) => alert((i * 7) % FINGERPRINTS, Math.floor(i / FINGERPRINTS)));
  const out = [];
  for (let i = 0; i < all.length; i += PER_REQUEST) out.push({ alerts: all.slice(i, i + PER_REQUEST) });
  return out;
}

describe('a storm through the batched opens and the carried-incident page', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await startTestRuntime({ config: pagingConfig({ batchSize: 10 }), sweepIntervalMs: 0, processorThread: true });
  });
  afterEach(async () => rt.cleanup());

  const send = async (list: unknown[]) => {
    const results = [];
    for (let i = 0; i < list.length; i += 8) results.push(...(await Promise.all(list.slice(i, i + 8).map((b) => rt.post(`/ingest/threatstack/${rt.ingestToken}`, b)))));
    expect(results.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    await rt.drain(60_000);
    await rt.escalations?.idle();
  };

  it('one incident and one page per fingerprint, every alert counted once, the step recorded; redeliveries and an acknowledgement page nothing more', async () => {
    const storm = bodies();
    await send(storm);
    const { incidents, logged } = await readIncidents(rt);
    expect(incidents).toHaveLength(FINGERPRINTS);
    expect(incidents.map((i) => i.alertCount)).toEqual(incidents.map(() => PER_FINGERPRINT));
    expect(new Set(logged).size).toBe(FINGERPRINTS * PER_FINGERPRINT);
    const pages = pagesByIncident(rt);
    expect([...pages.values()]).toEqual(incidents.map(() => 1));
    expect(new Set(pages.keys())).toEqual(new Set(incidents.map((i) => i.id)));
    for (const inc of incidents) expect(await rt.store.getIncident(inc.id)).toMatchObject({ escalationStep: 0, escalation: 'started' });

    // The same bodies again (a sender retrying after lost answers): nothing counted, nothing paged.
    await send(storm.slice(0, 10));
    const again = await readIncidents(rt);
    expect(again.incidents.map((i) => i.alertCount)).toEqual(incidents.map(() => PER_FINGERPRINT));
    expect([...pagesByIncident(rt).values()]).toEqual(incidents.map(() => 1));

    // Acknowledged, then more alerts of it: counted, not paged.
    const acked = incidents[0]!;
    expect((await rt.apiPost(`/api/incidents/${acked.id}/acknowledge`)).status).toBe(200);
    const fp = Number((await rt.store.getIncident(acked.id))!.title.match(/Storm (\d+)/)![1]);
    await send([{ alerts: [alert(fp, 100), alert(fp, 101)] }]);
    expect((await rt.store.getIncident(acked.id))!).toMatchObject({ status: 'acknowledged', alertCount: PER_FINGERPRINT + 2 });
    expect(pagesByIncident(rt).get(acked.id)).toBe(1);
    expect(rt.deadLetterQueue.size).toBe(0);
  }, 120_000);
});
