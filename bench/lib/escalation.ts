/**
 * State transitions, notifications and DynamoDB units per incident for each escalation path, on the local runtime
 * (in this process: the synthesized state machine runs in aws-local-stepfunctions, waits scaled down):
 * - `page-once`: one level, no repeat, paged inline (no execution);
 * - `two-levels`, acknowledged through the API right after the level-1 page;
 * - `two-levels` and `two-levels-repeat` with nobody acknowledging (a walk through every level).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime } from '../../lambdas/local/runtime';
import { benchConfig, type BenchPolicy } from './bench-config';
import { CapacityMeter } from './dynamodb-capacity';
import { batches, buildStorm, webhookBody } from './storm';
import { sleep } from './stats';

export interface EscalationResult {
  label: string;
  policy: BenchPolicy;
  acknowledged: boolean;
  incidents: number;
  transitionsPerIncident: number;
  executions: number;
  notificationsPerIncident: number;
  pagesPerIncident: number;
  writeUnitsPerIncident: number;
  readUnitsPerIncident: number;
}

async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function measureEscalation(label: string, policy: BenchPolicy, acknowledge: boolean, incidents = 4): Promise<EscalationResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-escalation-'));
  const meter = new CapacityMeter();
  // Acknowledged runs wait 1 s per 10-minute level (time to acknowledge); walks 0.1 s.
  const rt: LocalRuntime = await startLocalRuntime({
    config: benchConfig(policy), dataDir, port: 0, inMemoryStore: true, sweepIntervalMs: 0, timeScale: acknowledge ? 600 : 6000,
    hooks: { dynamoClient: (c) => meter.attach(c) },
  });
  try {
    meter.reset();
    const storm = buildStorm(incidents, incidents, 3, `esc-${policy}`);
    for (const b of batches(storm, 1)) {
      const res = await fetch(`${rt.url}/ingest/alertmanager/${rt.ingestToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: webhookBody(b) });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    }
    await rt.drain(60_000);
    const list = (await (await fetch(`${rt.url}/api/incidents?limit=100`, { headers: { authorization: `Bearer ${rt.apiToken}` } })).json()) as { incidents: Array<{ id: string }> };
    if (list.incidents.length !== incidents) throw new Error(`expected ${incidents} incidents, found ${list.incidents.length}`);
    if (acknowledge) {
      for (const inc of list.incidents) {
        await until(`level-1 page of ${inc.id}`, () => rt.outbox.list(10, inc.id).length >= 1);
        const res = await fetch(`${rt.url}/api/incidents/${inc.id}/acknowledge`, { method: 'POST', headers: { authorization: `Bearer ${rt.apiToken}`, 'content-type': 'application/json' }, body: '{}' });
        if (res.status !== 200) throw new Error(`acknowledge answered ${res.status}`);
      }
    }
    await rt.escalations!.idle();
    await rt.drain(60_000);
    const capacity = meter.snapshot();
    const transitions = [...rt.escalations!.transitions.values()].reduce((a, b) => a + b, 0);
    const notifications = rt.outbox.list(10_000).length;
    let pages = 0;
    for (const inc of list.incidents) {
      const detail = (await (await fetch(`${rt.url}/api/incidents/${inc.id}`, { headers: { authorization: `Bearer ${rt.apiToken}` } })).json()) as { timeline: Array<{ type: string }> };
      pages += detail.timeline.filter((t) => t.type === 'page').length;
    }
    return {
      label,
      policy,
      acknowledged: acknowledge,
      incidents,
      transitionsPerIncident: transitions / incidents,
      executions: rt.escalations!.transitions.size,
      notificationsPerIncident: notifications / incidents,
      pagesPerIncident: pages / incidents,
      writeUnitsPerIncident: capacity.writeUnits / incidents,
      readUnitsPerIncident: capacity.readUnits / incidents,
    };
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
