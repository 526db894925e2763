/**
 * kill -9 while the pipeline is paging. test/local/kill-restart.test.ts kills the runtime in the middle of a load
 * with a config that pages nobody and checks the alerts (nothing accepted lost or counted twice); this test does the
 * same with a config that pages every new incident, so the kill also lands between opening incidents, paging them
 * and recording that they were paged. After the restart: every accepted alert is counted once and keeps its alert-log
 * entry whose archive key reads back the raw body that carried it, and every incident was paged — at least once. A kill between sending a page and recording it can repeat that page after the restart
 * (paging is at-least-once); the test reports how often that happened.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGet, drainAndListIncidents, exited, spawnRuntime, stopRuntime } from '../support/spawn-runtime';
import { FsRawArchive } from '../../lambdas/adapters/local/fs-raw-archive';

const FINGERPRINTS = 100;
/** At most; the kill comes earlier. alertLogLimit 1000 keeps every alert in the alert log. */
const REQUESTS = 200;
const PER_REQUEST = 10;

const CONFIG = `version: 1
teams: [{ name: platform }]
services: [{ name: platform, team: platform }]
channels: [{ name: oncall-hook, type: webhook, secret: oncall-hook, maxPerMinute: 10000 }]
escalationPolicies: [{ name: page-once, levels: [{ targets: [{ channel: oncall-hook }] }] }]
routing: { default: { service: platform, escalationPolicy: page-once } }
processing: { maxReceiveCount: 5, batchSize: 10, batchWindowSeconds: 1, alertLogLimit: 1000 }
`;

type SentAlert = { id: string; server_or_region: string };

/**
 * Every alert body in the raw archive: what the runtime ever received and processed (a body that fits in its queue
 * message is archived by the processor, a line of its batch object (`.ndjson`); after the drain every one is there).
 */
function archivedAlerts(dir: string, out: SentAlert[] = []): SentAlert[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) archivedAlerts(p, out);
    else if (e.endsWith('.ndjson')) {
      for (const line of readFileSync(p, 'utf8').split('\n').filter(Boolean)) out.push(...(JSON.parse((JSON.parse(line) as { body: string }).body) as { alerts: SentAlert[] }).alerts);
    } else if (e.endsWith('.json') && !e.endsWith('.meta.json')) out.push(...(JSON.parse(readFileSync(p, 'utf8')) as { alerts: SentAlert[] }).alerts);
  }
  return out;
}

/** Alert i: request i / 10; each request spans 10 fingerprints, each fingerprint gets an alert every 10 requests. */
const alertFor = (i: number) => ({
  id: `kp${String(i).padStart(5, '0')}`,
  title: 'Unexpected outbound connection',
  created_at: 1718028000123 + i,
  severity: 1,
  organization_id: '5f0e1d2c3b4a596877665544',
  server_or_region: `host-${(Math.floor(i / PER_REQUEST) + (i % PER_REQUEST) * 10) % FINGERPRINTS}`,
  source: 'Host',
});

describe('kill -9 while paging, and a restart', () => {
  it('loses no accepted alert and no page; counts nothing twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'alert-pipeline-kill-paging-'));
    const configFile = join(dataDir, 'pipeline.yaml');
    writeFileSync(configFile, CONFIG);
    try {
      const first = await spawnRuntime(dataDir, { PIPELINE_CONFIG: configFile });
      const accepted = new Set<string>();
      let killed = false;
      let next = 0;
      // 3 requests in flight, paced, so alerts keep arriving while the processor opens and pages incidents.
      await Promise.all(Array.from({ length: 3 }, async () => {
        while (next < REQUESTS && !killed) {
          const batch = Array.from({ length: PER_REQUEST }, (_, k) => alertFor(next * PER_REQUEST + k));
          next++;
          try {
            const res = await fetch(`${first.url}/ingest/threatstack/ingest-token-for-test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alerts: batch }) });
            if (res.status === 200) batch.forEach((a) => accepted.add(`ts:${a.id}`));
          } catch {
            // connection dropped by the kill: not accepted
          }
          await new Promise((r) => setTimeout(r, 15));
          // Kill once pages are going out and more alerts are still coming in.
          const pagesSoFar = existsSync(join(dataDir, 'outbox.jsonl')) ? readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8').split('\n').filter(Boolean).length : 0;
          if (!killed && accepted.size >= 200 && pagesSoFar >= 10) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      }));
      expect(killed).toBe(true);
      await exited(first.child);
      const pagesBeforeKill = readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8').split('\n').filter(Boolean).length;

      const second = await spawnRuntime(dataDir, { PIPELINE_CONFIG: configFile });
      try {
        const api = (path: string) => apiGet(second, path);
        const incidents = await drainAndListIncidents(second, 30_000, 500);
        const logged: string[] = [];
        for (const inc of incidents) for (const a of (await api(`/api/incidents/${inc.id}`)).alerts) logged.push(a.deliveryKey);
        const total = incidents.reduce((n, i) => n + i.alertCount, 0);
        const pages = new Map<string, number>();
        for (const line of readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8').split('\n')) {
          if (!line) continue;
          try {
            const e = JSON.parse(line) as { incidentId: string };
            pages.set(e.incidentId, (pages.get(e.incidentId) ?? 0) + 1);
          } catch {
            // a line torn by the kill
          }
        }
        const repeated = [...pages.values()].filter((n) => n > 1).length;
        // Per fingerprint (host): accepted ≤ counted ≤ distinct alerts ever received (archived), so nothing accepted
        // is lost and nothing is counted twice; the alert log holds no alert twice and no more than was counted.
        const hostOf = new Map<string, string>();
        const received = new Map<string, Set<string>>();
        for (const a of archivedAlerts(join(dataDir, 'archive'))) {
          hostOf.set(`ts:${a.id}`, a.server_or_region);
          if (!received.has(a.server_or_region)) received.set(a.server_or_region, new Set());
          received.get(a.server_or_region)!.add(a.id);
        }
        const acceptedByHost = new Map<string, number>();
        for (const key of accepted) acceptedByHost.set(hostOf.get(key)!, (acceptedByHost.get(hostOf.get(key)!) ?? 0) + 1);
        let unlogged = 0;
        const archive = new FsRawArchive(join(dataDir, 'archive'));
        const batchObjects = new Set<string>();
        for (const inc of incidents) {
          const detail = await api(`/api/incidents/${inc.id}`);
          // Every logged alert's raw body is archived exactly where its alert log says, even for a batch the kill
          // cut between its archive write and its incident writes (redelivered, archived again in another object).
          for (const a of detail.alerts as Array<{ deliveryKey: string; archiveKey: string }>) {
            const archived = await archive.get(a.archiveKey);
            const ids = archived ? (JSON.parse(archived.body) as { alerts: SentAlert[] }).alerts.map((x) => `ts:${x.id}`) : [];
            expect([a.deliveryKey, a.archiveKey, ids.includes(a.deliveryKey)]).toEqual([a.deliveryKey, a.archiveKey, true]);
            batchObjects.add(a.archiveKey.split('#')[0]!);
          }
          const host = detail.incident.resource as string;
          expect([host, inc.alertCount >= (acceptedByHost.get(host) ?? 0)]).toEqual([host, true]);
          expect([host, inc.alertCount <= (received.get(host)?.size ?? 0)]).toEqual([host, true]);
          unlogged += inc.alertCount - detail.alerts.length;
          // alertLogLimit 1000: every counted alert keeps its alert-log entry and decision trace.
          expect([host, detail.alerts.length]).toEqual([host, inc.alertCount]);
        }
        console.log(`kill -9 while paging: accepted ${accepted.size}, counted after restart ${total} in ${incidents.length} incidents ` +
          `(raw bodies in ${batchObjects.size} archive objects) ` +
          `(${unlogged} counted without their alert-log entry); pages before the kill ${pagesBeforeKill}, after the restart ` +
          `${[...pages.values()].reduce((a, b) => a + b, 0)}; incidents paged twice: ${repeated}`);
        expect(new Set(logged).size).toBe(logged.length);
        expect(new Set(incidents.map((i) => i.fingerprint)).size).toBe(incidents.length);
        expect(incidents.length).toBe(received.size);
        for (const inc of incidents) expect([inc.id, (pages.get(inc.id) ?? 0) >= 1]).toEqual([inc.id, true]);
      } finally {
        await stopRuntime(second);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
