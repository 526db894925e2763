/**
 * Property-based fuzzing of every ingestion endpoint over HTTP, against the running local runtime: mutated valid
 * bodies (a key dropped, a leaf replaced), arbitrary JSON, arbitrary text and bytes, under several content types.
 * For every request:
 * - the answer is 2xx or a clear 4xx (400 naming the problem, 413), never 5xx, with the documented error body;
 * - nothing is half-written: a refused body leaves the queue and the raw archive untouched (the alarm-topic route
 *   dead-letters a body it can never accept, exactly once, as the SNS -> Lambda path does); an accepted body is
 *   archived once and every alert the answer counts is in the queue;
 * - afterwards the runtime is up, and the processor took every accepted alert without a failure or a dead letter.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parsePipelineConfigText } from '../../lambdas/core/config/parse-pipeline-config-text';
import type { AlertEnvelope } from '../../lambdas/core/model/alert';
import { SOURCES } from '../../lambdas/core/normalize/registry';
import { FIXTURES_ROOT, listFixtures, loadFixture, REPO_ROOT } from '../support/fixtures';
import { existsSync } from 'node:fs';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { mutatedFrom } from '../support/normalize-fuzz';
import { ingestArchiveEntries } from './harness';
import { MAX_JSON_DEPTH } from '../../lambdas/core/normalize/json-depth';
import { HTTP_ROUTES } from '../../lambdas/handlers/routes';

const RUNS = Number(process.env.FUZZ_RUNS_HTTP ?? 60);

const config = parsePipelineConfigText(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'config', 'rules', 'good', 'webhooks.yaml'), 'utf8'));

interface Route {
  name: string;
  path: (rt: TestRuntime) => string;
  /** Valid bodies to mutate. */
  seeds: (rt: TestRuntime) => unknown[];
  /** A refused JSON body goes to the dead-letter queue (the SNS -> Lambda path) instead of nowhere. */
  deadLettersRefused?: boolean;
}

const alarmMessage = () => JSON.parse((loadFixture('cloudwatch', 'sns-https-metric-alarm') as { Message: string }).Message) as Record<string, unknown>;

const ROUTES: Route[] = [
  { name: 'threatstack', path: (rt) => `/ingest/threatstack/${rt.ingestToken}`, seeds: () => listFixtures('threatstack').map((f) => loadFixture('threatstack', f)) },
  {
    name: 'cloudwatch (SNS HTTPS)',
    path: (rt) => `/ingest/cloudwatch/${rt.ingestToken}`,
    // The envelope as SNS sends it, and the same with its Message (the alarm JSON) mutated inside.
    seeds: () => listFixtures('cloudwatch').filter((f) => f.startsWith('sns-https-')).map((f) => loadFixture('cloudwatch', f)),
  },
  {
    name: 'events v2',
    path: () => '/ingest/events/v2',
    seeds: (rt) => listFixtures('events-v2').map((f) => ({ ...(loadFixture('events-v2', f) as object), routing_key: rt.ingestToken })),
  },
  { name: 'alertmanager', path: (rt) => `/ingest/alertmanager/${rt.ingestToken}`, seeds: () => listFixtures('alertmanager').map((f) => loadFixture('alertmanager', f)) },
  ...config.sources.webhooks.map((w): Route => ({
    name: `webhook ${w.name}`,
    path: (rt) => `/ingest/webhook/${w.name}/${rt.ingestToken}`,
    seeds: () => listFixtures('webhook').filter((f) => f.startsWith(`${w.name}-`)).map((f) => loadFixture('webhook', f)),
  })),
  {
    // Every EventBridge fixture of every source (the registry), to the route that dispatches on source and detail-type.
    name: 'eventbridge',
    path: (rt) => `/ingest/eventbridge/${rt.ingestToken}`,
    seeds: () =>
      SOURCES.filter((s) => existsSync(join(FIXTURES_ROOT, s))).flatMap((s) =>
        listFixtures(s).map((f) => loadFixture(s, f)).filter((b) => typeof b === 'object' && b !== null && 'detail-type' in b),
      ),
  },
  { name: 'local alarm topic', path: (rt) => `/local/alarm-topic/${rt.ingestToken}`, seeds: () => [alarmMessage()], deadLettersRefused: true },
];

type Body = { text: string | Uint8Array; contentType: string };

/** Bodies for one route: mutated seeds (some with a mutated inner SNS Message), arbitrary JSON, text and bytes. */
function bodies(seeds: unknown[]): fc.Arbitrary<Body> {
  const contentType = fc.constantFrom('application/json', 'text/plain; charset=UTF-8', 'application/octet-stream', 'application/x-www-form-urlencoded');
  const mutated = fc.oneof(...seeds.map((s) => mutatedFrom(s)));
  const innerMutated = fc.oneof(...seeds.map((s) => {
    const message = (s as { Message?: unknown }).Message;
    if (typeof message !== 'string') return mutatedFrom(s);
    let inner: unknown;
    try {
      inner = JSON.parse(message);
    } catch {
      return mutatedFrom(s);
    }
    return mutatedFrom(inner).map((m) => ({ ...(s as object), Message: JSON.stringify(m) }));
  }));
  const json = fc.oneof(
    { weight: 5, arbitrary: mutated },
    { weight: 2, arbitrary: innerMutated },
    { weight: 2, arbitrary: fc.jsonValue() },
  ).map((v) => JSON.stringify(v) ?? 'null');
  const text = fc.oneof(
    { weight: 7, arbitrary: json },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 100 }) },
    { weight: 1, arbitrary: json.map((t) => t.slice(0, Math.max(1, Math.floor(t.length / 2)))) },
  );
  return fc.record({
    text: fc.oneof({ weight: 9, arbitrary: text }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) }),
    contentType,
  });
}

describe('fuzzing every ingestion endpoint over HTTP', () => {
  let rt: TestRuntime;
  const sent: string[] = [];
  const processorFailures: string[] = [];

  beforeAll(async () => {
    rt = await startTestRuntime({
      config,
      snsSignatureCheck: false, // the signature is checked before parsing; off, the fuzzer reaches the parsers
      sweepIntervalMs: 0,
      hooks: {
        processor: (h) => async (event, ctx) => {
          const res = await h(event, ctx);
          processorFailures.push(...(res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
          return res;
        },
      },
    });
    // Record what the ingest path enqueues (LocalAlertQueue sends with group commit).
    const sendGrouped = rt.queue.sendGrouped.bind(rt.queue);
    rt.queue.sendGrouped = (b) => {
      for (const m of b) sent.push(typeof m === 'string' ? m : m.body);
      return sendGrouped(b);
    };
  });
  afterAll(async () => rt?.cleanup());

  const outcomes: Record<string, Record<number, number>> = {};
  let refusedByAlarmTopic = 0;

  it.each(ROUTES.map((r) => [r.name, r] as const))('%s: 2xx or a clear 4xx, never half-written', async (name, route) => {
    const seeds = route.seeds(rt);
    expect(seeds.length).toBeGreaterThan(0);
    outcomes[name] = {};
    await fc.assert(
      fc.asyncProperty(bodies(seeds), async (body) => {
        const archiveBefore = ingestArchiveEntries(join(rt.dataDir, 'archive'));
        const sentBefore = sent.length;
        const dlqBefore = rt.deadLetterQueue.size;
        const res = await fetch(`${rt.url}${route.path(rt)}`, { method: 'POST', headers: { 'content-type': body.contentType }, body: body.text });
        const text = await res.text();
        outcomes[name]![res.status] = (outcomes[name]![res.status] ?? 0) + 1;
        expect([200, 202, 400, 403, 413]).toContain(res.status);
        const answer = JSON.parse(text) as Record<string, any>;
        const newMessages = sent.slice(sentBefore).map((m) => JSON.parse(m) as AlertEnvelope);
        if (res.status >= 400) {
          expect(typeof answer.error?.code).toBe('string');
          expect(typeof answer.error?.message).toBe('string');
          expect(answer.error.message.length).toBeGreaterThan(0);
          expect(newMessages).toHaveLength(0);
          expect(ingestArchiveEntries(join(rt.dataDir, 'archive'))).toBe(archiveBefore);
          if (route.deadLettersRefused) {
            // JSON that is not an alarm message is dead-lettered with its reason (and the answer says so); a body
            // that is not JSON at all is refused before it reaches the SNS handler.
            const grew = rt.deadLetterQueue.size - dlqBefore;
            expect([0, 1]).toContain(grew);
            if (grew === 1) expect(answer.error.message).toMatch(/dead-letter queue/);
            refusedByAlarmTopic += grew;
          } else {
            expect(rt.deadLetterQueue.size).toBe(dlqBefore);
          }
        } else {
          // The body is durable before the 2xx: in its one queue message, or (too large for one) archived by ingest.
          expect(newMessages.length).toBeGreaterThan(0);
          const carried = newMessages.filter((m) => m.raw !== undefined);
          if (carried.length > 0) {
            expect([newMessages.length, typeof carried[0]!.raw!.body]).toEqual([1, 'string']);
            expect(ingestArchiveEntries(join(rt.dataDir, 'archive'))).toBe(archiveBefore);
          } else {
            expect(ingestArchiveEntries(join(rt.dataDir, 'archive'))).toBe(archiveBefore + 1);
          }
          const enqueued = newMessages.reduce((n, e) => n + e.alerts.length, 0);
          const counted = typeof answer.alerts === 'number' ? answer.alerts : 1;
          expect(enqueued).toBe(counted);
        }
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it.each(ROUTES.map((r) => [r.name, r] as const))('%s: a body nested past the depth limit anywhere is a 400 before anything is written', async (_name, route) => {
    const seeds = route.seeds(rt);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: seeds.length - 1 }), fc.integer({ min: MAX_JSON_DEPTH + 1, max: 6000 }), fc.boolean(), async (i, depth, inMessage) => {
        const seed = seeds[i] as Record<string, unknown>;
        const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
        // Inside the SNS Message (a JSON document in a string) when the seed is an envelope, else in a new field.
        const text = typeof seed.Message === 'string' && inMessage
          ? JSON.stringify({ ...seed, Message: JSON.stringify({ ...(JSON.parse(seed.Message) as object), extra: '<DEEP>' }).replace('"<DEEP>"', deep) })
          : JSON.stringify({ ...seed, extra: '<DEEP>' }).replace('"<DEEP>"', deep);
        const archiveBefore = ingestArchiveEntries(join(rt.dataDir, 'archive'));
        const sentBefore = sent.length;
        const dlqBefore = rt.deadLetterQueue.size;
        const res = await fetch(`${rt.url}${route.path(rt)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
        const answer = (await res.json()) as { error?: { message?: string } };
        expect(res.status).toBe(400);
        expect(answer.error?.message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
        expect(sent.length).toBe(sentBefore);
        expect(ingestArchiveEntries(join(rt.dataDir, 'archive'))).toBe(archiveBefore);
        expect(rt.deadLetterQueue.size).toBe(dlqBefore);
      }),
      { numRuns: 15 },
    );
  }, 60_000);

  it('answers any path parameter, however encoded, with a clear 4xx or a success, never a 5xx', async () => {
    const routes = HTTP_ROUTES.filter((r) => r.path.includes('{'));
    const segment = fc.string({ unit: fc.constantFrom('%', '%2', '%ZZ', '%E0', '%C3%A9', '%00', '%2F', 'a', 'Z', '0', '-', '.', '~'), minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), segment, async (route, seg) => {
        const res = await fetch(`${rt.url}${route.path.replace(/\{\w+\}/g, seg)}`, { method: route.method, ...(route.method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }) });
        const text = await res.text();
        expect([route.path, seg, res.status < 500]).toEqual([route.path, seg, true]);
        expect(text).not.toMatch(/URIError|RangeError|TypeError/);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('stays up, and the processor took every accepted alert without a failure', async () => {
    expect((await fetch(`${rt.url}/healthz`)).status).toBe(200);
    await rt.drain(60_000);
    expect(processorFailures).toEqual([]);
    const reasons = rt.deadLetterQueue.peekAll().map((m) => m.attributes?.reason ?? '');
    expect(reasons.filter((r) => !r.startsWith('sns-lambda'))).toEqual([]);
    expect(reasons).toHaveLength(refusedByAlarmTopic);
    console.log(`ingestion fuzz: ${Object.entries(outcomes).map(([n, o]) => `${n} ${JSON.stringify(o)}`).join('; ')}`);
  });
});
