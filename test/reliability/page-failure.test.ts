/**
 * A failing page path is never silent. The escalation state machine's Page step gets a Catch: when a page fails for
 * good (its retries spent), the same escalation-step function records the failure on the incident's timeline and the
 * execution fails (in AWS the ops alarm on failed executions fires). The local runtime runs the same synthesized
 * definition, so this test makes the Page step throw there and reads the timeline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { OperationsStore } from '../../lambdas/core/ports';
import { TransientError } from '../../lambdas/core/errors';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  people: [
    { name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] },
    { name: 'carol', contacts: [{ type: 'email', address: 'carol@example.com' }] },
  ],
  teams: [{ name: 'platform', members: ['alice'] }],
  services: [{ name: 'platform', team: 'platform' }],
  escalationPolicies: [{
    name: 'two-levels',
    levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 10 }, { targets: [{ person: 'carol' }], escalateAfterMinutes: 10 }],
  }],
  routing: { default: { service: 'platform', escalationPolicy: 'two-levels' } },
});

const alert = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'threatstack', 'bare-alert.json'), 'utf8'));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a Page step that fails for good', () => {
  let rt: TestRuntime;
  const failing = { on: false };
  afterEach(async () => rt?.cleanup());

  it('is recorded on the incident timeline and fails the execution', async () => {
    const errors: Array<[string, unknown]> = [];
    // The escalation step's rate-cap reservation fails once switched on (a DynamoDB outage as the page sees it).
    const escalationOps = (ops: OperationsStore): OperationsStore => new Proxy(ops, {
      get: (target, prop, receiver) => (prop === 'reserveSend' && failing.on
        ? async () => { throw new TransientError('injected: the rate-cap table is unavailable'); }
        : Reflect.get(target, prop, receiver) as unknown),
    });
    // 10 minutes of escalation delay take 1 s.
    rt = await startTestRuntime({ config, timeScale: 600, sweepIntervalMs: 0, hooks: { escalationOps }, onEscalationError: (name, err) => errors.push([name, err]) });
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, alert)).status).toBe(200);
    await rt.drain();
    const [inc] = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string }>;
    const timeline = async () => (await rt.get(`/api/incidents/${inc!.id}`)).body.timeline as Array<{ type: string; message: string; data?: any }>;
    await until('the level 1 page', async () => (await timeline()).some((t) => t.type === 'page'));
    failing.on = true; // level 2, paged by the state machine's Page step, fails

    const failure = await until('the page failure on the timeline', async () => (await timeline()).find((t) => t.data?.outcome === 'page-failed'));
    expect(failure).toMatchObject({ type: 'escalated', actor: 'pipeline', data: { step: 1, reason: expect.stringContaining('injected: the rate-cap table is unavailable') } });
    expect(failure.message).toMatch(/^Page of escalation step 2 failed after its retries/);
    await rt.escalations!.idle();
    expect(errors.map(([name]) => name)).toEqual([`${inc!.id}-r0`]); // the execution failed, loudly
    expect((await timeline()).filter((t) => t.type === 'page')).toHaveLength(1); // carol was never paged
  });
});
