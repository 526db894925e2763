/**
 * The local runtime started the way a user starts it (`npm start`, a child process: no jest setup file, no
 * preloaded polyfill), with a two-level policy that repeats: one alert, and every level of both rounds pages exactly
 * once. On Node 20 (no Promise.withResolvers) every Task of the local state machine used to fail after its page, so
 * Step Functions' retry paged level 2 again and again and round 2 never ran.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGet, SPAWN_TOKENS, spawnRuntime, stopRuntime } from '../support/spawn-runtime';

const CONFIG = `version: 1
people:
  - { name: alice, contacts: [{ type: email, address: alice@example.com }] }
  - { name: bob, contacts: [{ type: email, address: bob@example.com }] }
teams: [{ name: platform, members: [alice, bob] }]
services: [{ name: platform, team: platform }]
escalationPolicies:
  - name: two-levels-twice
    repeat: 1
    levels:
      - { targets: [{ person: alice }], escalateAfterMinutes: 1 }
      - { targets: [{ person: bob }], escalateAfterMinutes: 1 }
routing: { default: { service: platform, escalationPolicy: two-levels-twice } }
`;

describe('npm start (as a user runs it) escalates through the synthesized state machine', () => {
  it('pages each level of each round exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-pipeline-npm-start-'));
    writeFileSync(join(dir, 'pipeline.yaml'), CONFIG);
    // LOCAL_TIME_SCALE=60: each 1-minute level wait takes 1 s; the whole plan (4 steps) about 4 s.
    const rt = await spawnRuntime(join(dir, 'data'), { PIPELINE_CONFIG: join(dir, 'pipeline.yaml'), LOCAL_TIME_SCALE: '60' }, 'npm-start');
    try {
      const alert = { id: 'npm-start-1', title: 'Unexpected outbound connection', created_at: Date.now(), severity: 2, organization_id: '5f0e1d2c3b4a596877665544', server_or_region: 'host-1', source: 'Host' };
      const res = await fetch(`${rt.url}/ingest/threatstack/${SPAWN_TOKENS.ingest}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alerts: [alert] }) });
      expect(res.status).toBe(200);

      let incident: { id: string } | undefined;
      let timeline: Array<{ type: string; message: string }> = [];
      for (const start = Date.now(); Date.now() - start < 15_000;) {
        incident ??= (await apiGet(rt, '/api/incidents')).incidents[0];
        if (incident) {
          timeline = (await apiGet(rt, `/api/incidents/${incident.id}`)).timeline;
          if (timeline.some((t) => t.message.startsWith('Escalation exhausted'))) break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(incident).toBeDefined();
      // One more wait after the end: a retried Task would page again within seconds.
      await new Promise((r) => setTimeout(r, 1_500));
      const outbox = (await apiGet(rt, `/local/outbox?incident=${incident!.id}`)).notifications as Array<{ person: string; text: string; at: string }>;
      const pages = outbox
        .map((n) => {
          const m = /escalation level (\d+), round (\d+)/.exec(n.text);
          return `${n.person}: level ${m?.[1]}, round ${m?.[2]}`;
        })
        .reverse(); // the outbox lists the newest first
      expect(pages).toEqual(['alice: level 1, round 1', 'bob: level 2, round 1', 'alice: level 1, round 2', 'bob: level 2, round 2']);
      expect(timeline.some((t) => t.message.startsWith('Escalation exhausted'))).toBe(true);
      expect(rt.output()).not.toMatch(/withResolvers|escalation .* failed/);
    } finally {
      await stopRuntime(rt);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
