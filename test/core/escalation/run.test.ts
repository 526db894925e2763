/**
 * runEscalationStep (lambdas/core/escalation/run.ts) over the in-memory stores with a virtual clock:
 * - a page over a channel's rate cap is delayed to the next minute window and then sent, never dropped;
 * - no page leaves after an acknowledgement or resolve has been recorded, even one that lands between the step's
 *   first read of the incident and its send.
 */
import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../../lambdas/adapters/in-memory/operations-store';
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { planIncidentChanges } from '../../../lambdas/core/deduplicate';
import { planEscalation, type EscalationState } from '../../../lambdas/core/escalation/plan';
import { runEscalationStep, type EscalationDeps } from '../../../lambdas/core/escalation/run';
import { acknowledgeIncident, resolveIncident } from '../../../lambdas/core/lifecycle';
import type { Incident, TimelineEvent } from '../../../lambdas/core/model/incident';
import type { IncidentStore, NotificationSender, SendResult } from '../../../lambdas/core/ports';
import { alert, evaluated } from '../../support/builders';

const config = parsePipelineConfig({
  version: 1,
  people: [
    { name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] },
    { name: 'bob', contacts: [{ type: 'email', address: 'bob@example.com' }] },
  ],
  teams: [{ name: 'platform', members: ['alice', 'bob'] }],
  services: [{ name: 'platform', team: 'platform' }],
  channels: [{ name: 'ops-slack', type: 'slack', secret: 'ops-slack', maxPerMinute: 30 }],
  escalationPolicies: [
    { name: 'slack-twice', levels: [{ targets: [{ channel: 'ops-slack' }], escalateAfterMinutes: 1 }, { targets: [{ channel: 'ops-slack' }], escalateAfterMinutes: 1 }] },
    { name: 'team', levels: [{ targets: [{ team: 'platform' }], escalateAfterMinutes: 5 }] },
    { name: 'alice', levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 5 }] },
  ],
  routing: { default: { service: 'platform', escalationPolicy: 'slack-twice' } },
});

/** 20 s into a minute: the first 30 pages fit this minute's window, the rest wait for the next one. */
const START_MS = Date.parse('2024-06-10T14:05:20.000Z');

/**
 * A virtual clock: `sleep(ms)` parks the caller until the clock reaches its end; `run(work)` lets everything that is
 * not asleep run (the in-memory stores resolve in microtasks), then moves the clock to the earliest sleeper's end and
 * wakes it, until the work is done.
 */
function virtualClock(startMs = START_MS) {
  let t = startMs;
  const sleepers: Array<{ until: number; wake: () => void }> = [];
  return {
    clock: { now: () => new Date(t) },
    sleep: (ms: number) => new Promise<void>((wake) => void sleepers.push({ until: t + ms, wake })),
    advance: (ms: number) => (t += ms),
    async run<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const result = work.finally(() => (done = true));
      while (!done) {
        await new Promise((r) => setImmediate(r));
        if (done || sleepers.length === 0) continue;
        sleepers.sort((a, b) => a.until - b.until);
        const next = sleepers.shift()!;
        t = Math.max(t, next.until);
        next.wake();
      }
      return result;
    },
    get ms() {
      return t;
    },
  };
}

async function openIncident(store: IncidentStore, n: number, policy: string): Promise<Incident> {
  const now = new Date(START_MS).toISOString();
  const plan = planIncidentChanges(null, [evaluated(alert({ key: `k-${policy}-${n}`, fp: `fp-${policy}-${n}` }))], now, START_MS);
  const inc = { ...plan.creates[0]!, route: { ...plan.creates[0]!.route, escalationPolicy: policy } };
  expect(await store.applyPlan({ ...plan, creates: [inc] })).toEqual({ kind: 'applied' });
  return inc;
}

function stateOf(inc: Incident, step = 0): EscalationState {
  const { plan } = planEscalation(config, inc, 0, inc.openedAt);
  return { incidentId: inc.id, plan: plan!, step, waitSeconds: 0, done: false };
}

function deps(over: Partial<EscalationDeps> & Pick<EscalationDeps, 'store' | 'sender' | 'clock' | 'sleep'>): EscalationDeps {
  return {
    config, ops: new InMemoryOperationsStore(), random: () => 0.5, newNonce: () => 'n', publicBaseUrl: 'https://example.test', actionLinkKey: 'k'.repeat(32),
    ...over,
  };
}

const notifications = (events: TimelineEvent[]) => events.filter((e) => e.type === 'notification');

describe('rate caps delay pages, never drop them', () => {
  it('40 new incidents on one Slack channel capped at 30/min: all 40 are delivered, 10 of them in the next minute', async () => {
    const store = new InMemoryIncidentStore();
    const vc = virtualClock();
    const sent: Array<{ incidentId: string; atMs: number }> = [];
    const sender: NotificationSender = { send: async (_d, _p, inc) => (sent.push({ incidentId: inc.id, atMs: vc.ms }), { ok: true }) };
    const d = deps({ store, sender, clock: vc.clock, sleep: vc.sleep });
    const incidents = await Promise.all(Array.from({ length: 40 }, (_, i) => openIncident(store, i, 'slack-twice')));

    await vc.run(Promise.all(incidents.map((inc) => runEscalationStep(d, stateOf(inc)))));

    expect(sent).toHaveLength(40);
    expect(new Set(sent.map((s) => s.incidentId)).size).toBe(40);
    const perMinute = new Map<number, number>();
    for (const s of sent) perMinute.set(Math.floor(s.atMs / 60_000), (perMinute.get(Math.floor(s.atMs / 60_000)) ?? 0) + 1);
    expect([...perMinute.values()]).toEqual([30, 10]);
    let delayed = 0;
    for (const inc of incidents) {
      const events = notifications(await store.timeline(inc.id));
      expect(events.some((e) => /Not sent/.test(e.message) || (e.data as { outcome?: string })?.outcome === 'rate-limited')).toBe(false);
      expect(events.filter((e) => (e.data as { outcome?: string })?.outcome === 'sent')).toHaveLength(1);
      const wait = events.find((e) => (e.data as { outcome?: string })?.outcome === 'delayed');
      if (wait) {
        delayed++;
        expect(wait.message).toMatch(/^Rate-capped: ops-slack allows 30\/min; the page via slack:ops-slack is delayed until 14:06:00 UTC$/);
        // The delivery comes after the delay note, in the next minute.
        const sentAt = events.find((e) => (e.data as { outcome?: string })?.outcome === 'sent')!.at;
        expect(sentAt >= '2024-06-10T14:06:00.000Z').toBe(true);
        expect(events.indexOf(wait)).toBeLessThan(events.findIndex((e) => (e.data as { outcome?: string })?.outcome === 'sent'));
      }
    }
    expect(delayed).toBe(10);
  });

  it('an incident with both levels capped still gets paged at both levels', async () => {
    const store = new InMemoryIncidentStore();
    const ops = new InMemoryOperationsStore();
    const vc = virtualClock();
    const sent: string[] = [];
    const sender: NotificationSender = { send: async (_d, _p, inc) => (sent.push(`${inc.id}@${new Date(vc.ms).toISOString()}`), { ok: true }) };
    const d = deps({ store, ops, sender, clock: vc.clock, sleep: vc.sleep });
    const inc = await openIncident(store, 99, 'slack-twice');
    const fill = async () => {
      for (let i = 0; i < 30; i++) await ops.reserveSend('ops-slack', Math.floor(vc.ms / 60_000), 30);
    };
    await fill();
    const next = await vc.run(runEscalationStep(d, stateOf(inc, 0)));
    expect(next).toMatchObject({ step: 1, done: false });
    vc.advance(60_000);
    await fill();
    expect(await vc.run(runEscalationStep(d, next))).toMatchObject({ step: 2, done: false });
    expect(sent).toEqual([`${inc.id}@2024-06-10T14:06:00.000Z`, `${inc.id}@2024-06-10T14:08:00.000Z`]);
    const outcomes = notifications(await store.timeline(inc.id)).map((e) => (e.data as { outcome: string }).outcome);
    expect(outcomes).toEqual(['delayed', 'sent', 'delayed', 'sent']);
  });
});

describe('no page after an acknowledgement or resolve', () => {
  /** A store whose first `getIncident` returns the triggered incident, and that records `act` right after it. */
  function ackAfterFirstRead(inner: InMemoryIncidentStore, act: typeof acknowledgeIncident | typeof resolveIncident, atIso: string): IncidentStore {
    let reads = 0;
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'getIncident') {
          return async (id: string) => {
            const inc = await target.getIncident(id);
            if (++reads === 1 && inc) {
              const t = act(inc, 'carol', atIso);
              expect(await target.replaceIncident(inc, t.after)).toEqual({ kind: 'applied' });
              await target.appendTimeline(t.events);
            }
            return inc;
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  it.each([
    ['acknowledged', acknowledgeIncident],
    ['resolved', resolveIncident],
  ] as const)('an incident %s between the step\'s read and its send is not paged, and the timeline says why', async (status, act) => {
    const inner = new InMemoryIncidentStore();
    const vc = virtualClock();
    const inc = await openIncident(inner, 1, 'team');
    const sent: string[] = [];
    const sender: NotificationSender = { send: async (dl) => (sent.push(dl.person ?? dl.channel ?? ''), { ok: true }) };
    const store = ackAfterFirstRead(inner, act, new Date(START_MS + 1).toISOString());
    const next = await vc.run(runEscalationStep(deps({ store, sender, clock: vc.clock, sleep: vc.sleep }), stateOf(inc)));
    expect(sent).toEqual([]);
    expect(next.done).toBe(true);
    const events = await inner.timeline(inc.id);
    const cancelled = notifications(events).filter((e) => (e.data as { outcome?: string })?.outcome === 'cancelled');
    expect(cancelled.map((e) => e.message)).toEqual([
      `Cancelled the page to alice via email: the incident was ${status} by carol at 2024-06-10T14:05:20.001Z`,
      `Cancelled the page to bob via email: the incident was ${status} by carol at 2024-06-10T14:05:20.001Z`,
    ]);
    expect(events.some((e) => e.type === 'notification' && (e.data as { outcome?: string })?.outcome === 'sent')).toBe(false);
  });

  it('an acknowledgement prompted by the first delivery stops the retry of a failed one', async () => {
    const store = new InMemoryIncidentStore();
    const vc = virtualClock();
    const inc = await openIncident(store, 2, 'alice');
    let calls = 0;
    // The first attempt fails (a 503, retryable); while it is in flight alice acknowledges from another page.
    const sender: NotificationSender = {
      send: async (): Promise<SendResult> => {
        calls++;
        const current = (await store.getIncident(inc.id))!;
        if (current.status === 'triggered') {
          const t = acknowledgeIncident(current, 'alice', new Date(vc.ms).toISOString());
          await store.replaceIncident(current, t.after);
          await store.appendTimeline(t.events);
        }
        return { ok: false, status: 503, error: 'HTTP 503' };
      },
    };
    await vc.run(runEscalationStep(deps({ store, sender, clock: vc.clock, sleep: vc.sleep }), stateOf(inc)));
    expect(calls).toBe(1);
    const outcomes = notifications(await store.timeline(inc.id)).map((e) => (e.data as { outcome: string }).outcome);
    expect(outcomes).toEqual(['failed', 'cancelled']);
  });
});

describe('a step is paged once', () => {
  it('the same step run again after its page was recorded (a re-driven start after a crash) sends nothing, and says why', async () => {
    const store = new InMemoryIncidentStore();
    const vc = virtualClock();
    const sent: string[] = [];
    const sender: NotificationSender = { send: async (_d, _p, inc) => (sent.push(inc.id), { ok: true }) };
    const d = deps({ store, sender, clock: vc.clock, sleep: vc.sleep });
    const inc = await openIncident(store, 1, 'slack-twice');
    const first = await vc.run(runEscalationStep(d, stateOf(inc)));
    const again = await vc.run(runEscalationStep(d, stateOf(inc)));
    expect(sent).toEqual([inc.id]);
    expect(again).toEqual(first);
    const timeline = await store.timeline(inc.id);
    expect(timeline.filter((e) => e.type === 'page')).toHaveLength(1);
    expect(timeline.at(-1)!.message).toBe('Step 1 of policy slack-twice was already paged: not paged again');
  });
});

describe('the inline page\'s store calls', () => {
  /** Counts the store's and the operations store's calls, and can hold `getIncident` and `reserveSend` at a gate. */
  function counting(inner: InMemoryIncidentStore, ops = new InMemoryOperationsStore()) {
    const calls: string[] = [];
    let inFlight = 0;
    const overlaps: string[] = [];
    const track = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      calls.push(name);
      if (inFlight > 0) overlaps.push(name);
      inFlight++;
      try {
        // A round trip: the other calls of the same instant get to start before this one answers.
        await new Promise((r) => setImmediate(r));
        return await work();
      } finally {
        inFlight--;
      }
    };
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => track(String(prop), () => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    }) as IncidentStore;
    const countedOps = new Proxy(ops, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => track(String(prop), () => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
    return { store, ops: countedOps, calls, overlaps };
  }

  it('a page carrying the incident the processor wrote reads it once, right before the send: 4 calls in all', async () => {
    const inner = new InMemoryIncidentStore();
    const inc = await openIncident(inner, 1, 'slack-twice');
    const c = counting(inner);
    const vc = virtualClock();
    const sent: string[] = [];
    const sender: NotificationSender = { send: async (_d, _p, i) => (sent.push(i.id), { ok: true }) };
    const next = await vc.run(runEscalationStep(deps({ store: c.store, ops: c.ops, sender, clock: vc.clock, sleep: vc.sleep }), { ...stateOf(inc), incident: inc }));
    expect(sent).toEqual([inc.id]);
    expect(next).toEqual({ ...stateOf(inc), step: 1, waitSeconds: 60 }); // the carried incident is not handed on
    expect(c.calls).toEqual(['reserveSend', 'getIncident', 'appendTimeline', 'recordPagedStep']);
    expect(await inner.getIncident(inc.id)).toMatchObject({ escalationStep: 0 });
  });

  it('the rate counter and the re-read right before the send go out together (one round trip before the send)', async () => {
    const inner = new InMemoryIncidentStore();
    const inc = await openIncident(inner, 2, 'slack-twice');
    const c = counting(inner);
    const vc = virtualClock();
    const sender: NotificationSender = { send: async () => ({ ok: true }) };
    await vc.run(runEscalationStep(deps({ store: c.store, ops: c.ops, sender, clock: vc.clock, sleep: vc.sleep }), { ...stateOf(inc), incident: inc }));
    expect(c.overlaps).toEqual(['getIncident']);
  });

  it('a carried incident older than the store: a step the store records as paged is not paged again', async () => {
    const store = new InMemoryIncidentStore();
    const inc = await openIncident(store, 3, 'slack-twice');
    const paged = { ...inc, escalationStep: 0, escalation: 'started' as const, version: inc.version + 1 };
    expect(await store.replaceIncident(inc, paged)).toEqual({ kind: 'applied' });
    const vc = virtualClock();
    const sent: string[] = [];
    const sender: NotificationSender = { send: async (_d, _p, i) => (sent.push(i.id), { ok: true }) };
    const next = await vc.run(runEscalationStep(deps({ store, sender, clock: vc.clock, sleep: vc.sleep }), { ...stateOf(inc), incident: inc }));
    expect(sent).toEqual([]);
    expect(next).toEqual({ ...stateOf(inc), step: 1, waitSeconds: 60 });
    const timeline = await store.timeline(inc.id);
    expect(timeline.filter((e) => e.type === 'page' || e.type === 'notification')).toEqual([]);
    expect(timeline.at(-1)!.message).toBe('Step 1 of policy slack-twice was already paged: not paged again');
  });

  it('the step is recorded on the head as the re-read found it: a count written meanwhile costs no conflict and no extra read', async () => {
    const inner = new InMemoryIncidentStore();
    const inc = await openIncident(inner, 4, 'slack-twice');
    // The processor counts a follower on the head after it handed the incident to the page.
    const counted = { ...inc, alertCount: inc.alertCount + 1, version: inc.version + 1 };
    expect(await inner.replaceIncident(inc, counted)).toEqual({ kind: 'applied' });
    const c = counting(inner);
    const vc = virtualClock();
    const sender: NotificationSender = { send: async () => ({ ok: true }) };
    await vc.run(runEscalationStep(deps({ store: c.store, ops: c.ops, sender, clock: vc.clock, sleep: vc.sleep }), { ...stateOf(inc), incident: inc }));
    expect(c.calls).toEqual(['reserveSend', 'getIncident', 'appendTimeline', 'recordPagedStep']);
    expect(await inner.getIncident(inc.id)).toMatchObject({ escalationStep: 0, alertCount: inc.alertCount + 1 });
  });
});
