/**
 * The golden and replay commands as a user runs them (`npx tsx scripts/...`), plus their in-process entry points for
 * usage errors, progress and the S3 archive layout. The spawned runs go in parallel to keep this file to a few seconds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FsRawArchive } from '../../lambdas/adapters/local/fs-raw-archive';
import { archiveKeyOf } from '../../lambdas/core/pipeline';
import { batchObjectOf, BATCH_CONTENT_TYPE } from '../../lambdas/core/raw-batch';
import type { AlertEnvelope } from '../../lambdas/core/model/alert';
import type { SourceName } from '../../lambdas/core/normalize/registry';
import { main as golden } from '../../scripts/golden';
import { main as replay, receivedAtOfKey, hoursBetween, S3ArchiveReader, type ArchiveReader, type ArchiveEntry } from '../../scripts/replay';
import { REPO_ROOT, loadFixture } from '../support/fixtures';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npx tsx <args>`, calling the tsx that npx resolves to directly (npx itself adds about half a second per run). */
function tsx(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), args, { cwd: REPO_ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function alarmMessage(name: string, state: 'ALARM' | 'OK', time: string): Record<string, unknown> {
  return {
    AlarmName: name, AWSAccountId: '111122223333', NewStateValue: state, NewStateReason: 'Threshold Crossed', StateChangeTime: time,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`, OldStateValue: state === 'OK' ? 'ALARM' : 'OK',
    Trigger: { MetricName: 'CPUUtilization', Namespace: 'AWS/EC2' },
  };
}

/**
 * Writes bodies the way the pipeline archives them: the Threat Stack and SNS HTTPS ones as objects of their own (the
 * layout of a delivery too large for one message, and of older archives: FsRawArchive, archiveKeyOf, the same
 * metadata), the SNS -> Lambda and EventBridge ones as lines of the processor's batch objects (core/raw-batch.ts), one
 * of them written the next hour and one also redelivered into a second batch object.
 */
async function writeArchive(root: string): Promise<void> {
  const archive = new FsRawArchive(root);
  const batched: Array<{ at: string; envelopes: AlertEnvelope[] }> = [
    { at: '2024-06-10T10:05:01.000Z', envelopes: [] },
    { at: '2024-06-10T11:02:00.000Z', envelopes: [] },
  ];
  const put = async (source: SourceName, via: string, receivedAt: string, requestId: string, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    if (via === 'sns-lambda' || via === 'eventbridge') {
      const env: AlertEnvelope = { v: 1, messageKey: `m-${requestId}`, source, via, receivedAt, archiveKey: '', raw: { body: text, requestId }, alerts: [] };
      if (via === 'sns-lambda') batched[0]!.envelopes.push(env);
      batched[1]!.envelopes.push(env); // the SNS -> Lambda one a second time: a redelivery
      return;
    }
    await archive.put(archiveKeyOf(source, receivedAt, requestId), text, { source, via, receivedAt, requestId });
  };

  // Threat Stack webhook: the body as posted.
  await put('threatstack', 'threatstack-webhook', '2024-06-10T10:00:01.000Z', 'req-ts-1', readFileSync(join(REPO_ROOT, 'test/fixtures/events/threatstack/batch-host-and-cloudtrail.json'), 'utf8'));
  // SNS HTTPS: the envelope as SNS posts it.
  const envelope = loadFixture('cloudwatch', 'sns-https-metric-alarm') as Record<string, unknown>;
  await put('cloudwatch', 'sns-https', '2024-06-10T10:03:13.000Z', 'req-cw-1', { ...envelope, Message: JSON.stringify(alarmMessage('checkout-5xx-rate', 'ALARM', '2024-06-10T10:03:12.000+0000')) });
  // SNS -> Lambda: one record, as ingest-sns archives it.
  const record = (loadFixture('cloudwatch', 'sns-lambda-record') as { Records: Array<{ Sns: Record<string, unknown> }> }).Records[0]!;
  await put('cloudwatch', 'sns-lambda', '2024-06-10T10:05:00.000Z', 'msg-2', {
    ...record, Sns: { ...record.Sns, MessageId: 'msg-2', Message: JSON.stringify(alarmMessage('canary-cpu-high', 'ALARM', '2024-06-10T10:04:59.000+0000')) },
  });
  // EventBridge: the OK of the checkout alarm.
  const ok = loadFixture('cloudwatch', 'eventbridge-ok') as { detail: { state: Record<string, unknown> } } & Record<string, unknown>;
  await put('cloudwatch', 'eventbridge', '2024-06-10T10:20:00.000Z', 'evt-1', { ...ok, detail: { ...ok.detail, state: { ...ok.detail.state, timestamp: '2024-06-10T10:19:59.000+0000' } } });
  // Outside the range: not replayed.
  await put('threatstack', 'threatstack-webhook', '2024-06-10T12:30:00.000Z', 'req-ts-2', readFileSync(join(REPO_ROOT, 'test/fixtures/events/threatstack/bare-alert.json'), 'utf8'));
  for (const { at, envelopes } of batched) {
    const batch = batchObjectOf(envelopes, new Date(at))!;
    await archive.put(batch.key, batch.body, batch.metadata, BATCH_CONTENT_TYPE);
  }
}

describe('npm run golden / npm run replay', () => {
  let dir: string;
  let runs: { shipped: Run; failing: Run; replay: Run };
  const range = ['--from', '2024-06-10T10:00:00Z', '--to', '2024-06-10T11:00:00Z'];
  const configs = ['--current', 'test/fixtures/golden/current.yaml', '--candidate', 'test/fixtures/golden/candidate.yaml'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
    await writeArchive(dir);
    const [shipped, failing, rep] = await Promise.all([
      tsx(['scripts/golden.ts']),
      tsx(['scripts/golden.ts', 'test/fixtures/golden/failing.yaml']),
      tsx(['scripts/replay.ts', ...range, ...configs, '--archive', dir]),
    ]);
    runs = { shipped: shipped!, failing: failing!, replay: rep! };
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the shipped golden cases pass against config/pipeline.yaml', () => {
    expect(runs.shipped.stdout).toMatch(/^config\/golden\/cloudwatch\.yaml \(config config\/pipeline\.yaml\)$/m);
    expect(runs.shipped.stdout).toContain('  ✓ an ALARM pages, OK resolves it, and the next ALARM opens a new incident');
    expect(runs.shipped.stdout).not.toContain('✗');
    expect(runs.shipped.stdout).toMatch(/^(\d+) cases: \1 passed, 0 failed$/m);
    expect(runs.shipped.code).toBe(0);
  });

  it('a failing golden file exits 1 and says which expectation failed', () => {
    expect(runs.failing.code).toBe(1);
    expect(runs.failing.stdout).toContain(
      [
        '  ✗ firewall goes to security',
        "      case 'firewall goes to security', alert 1: severity expected sev1, got sev2",
        "      case 'firewall goes to security', alert 1: route.service expected security, got platform (rule default)",
        '  ✓ this one passes',
      ].join('\n'),
    );
    expect(runs.failing.stdout).toContain('\n4 cases: 1 passed, 3 failed\n');
  });

  it('replay prints the differences of the candidate on the archived alerts, then the totals', () => {
    expect(runs.replay.code).toBe(0);
    expect(runs.replay.stdout).toBe(
      [
        `Replay of 4 archived bodies received 2024-06-10T10:00:00.000Z .. 2024-06-10T11:00:00.000Z (${dir})`,
        'current test/fixtures/golden/current.yaml -> candidate test/fixtures/golden/candidate.yaml',
        '',
        '2024-06-10T10:03:13.000Z  cloudwatch  cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate|2024-06-10T10:03:12.000Z|ALARM  "ALARM: checkout-5xx-rate"',
        '  route: platform/platform-oncall (rule default) -> checkout/payments-oncall (rule checkout-to-payments)',
        '2024-06-10T10:05:00.000Z  cloudwatch  cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:canary-cpu-high|2024-06-10T10:04:59.000Z|ALARM  "ALARM: canary-cpu-high"',
        '  pages: yes -> no (suppressed: noisy-canary-cpu; was opens #4)',
        '  suppression: none -> noisy-canary-cpu (canary CPU alarm flaps during deploys (PLAT-123))',
        '2024-06-10T10:20:00.000Z  cloudwatch  cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate|2024-06-10T10:19:59.000Z|OK  "OK: checkout-5xx-rate"',
        '  route: platform/platform-oncall (rule default) -> checkout/payments-oncall (rule checkout-to-payments)',
        '',
        '5 alerts replayed: 1 page differently, 2 route differently, 1 suppressed differently, 0 group differently, 0 change severity',
        'incidents: 4 current, 4 candidate',
        '',
      ].join('\n'),
    );
  });

  it('replay --json gives the same differences as data', async () => {
    const out: string[] = [];
    expect(await replay([...range, ...configs, '--archive', dir, '--json'], { out: (s) => void out.push(s), err: () => {}, now: () => 0 })).toBe(0);
    const json = JSON.parse(out.join('')) as { bodies: number; diff: { totals: Record<string, number>; differences: unknown[] } };
    expect(json.bodies).toBe(4);
    expect(json.diff.totals).toEqual({ pages: 1, route: 2, suppression: 1, grouping: 0, severity: 0, alertsDifferent: 3 });
    expect(json.diff.differences).toHaveLength(3);
  });
});

describe('golden (in process)', () => {
  const lines = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, o: (l: string) => void out.push(l), e: (l: string) => void err.push(l) };
  };

  it('a bad config fails with its ConfigError message', () => {
    const l = lines();
    expect(golden(['config/golden/threatstack.yaml', '--config', 'test/fixtures/config/bad/unknown-team.yaml'], l.o, l.e)).toBe(1);
    expect(l.out.join('\n')).toContain(
      [
        '✗ config/golden/threatstack.yaml (config test/fixtures/config/bad/unknown-team.yaml)',
        '    test/fixtures/config/bad/unknown-team.yaml is invalid:',
        '      - services[1].team: unknown team "billing" (teams: platform)',
      ].join('\n'),
    );
  });

  it('usage errors exit 2', () => {
    const l = lines();
    expect(golden(['--bogus'], l.o, l.e)).toBe(2);
    expect(l.err).toEqual(['golden: unknown option --bogus', 'usage: npm run golden -- [files or dirs ...] [--config config/pipeline.yaml] [--verbose]']);
    expect(golden(['no/such/dir'], l.o, l.e)).toBe(2);
  });
});

describe('replay (in process)', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), now: () => 0 } };
  };

  it('usage errors exit 2 with the usage line', async () => {
    for (const args of [
      ['--from', '2024-06-10T10:00:00Z', '--to', '2024-06-10T11:00:00Z'],
      ['--from', 'yesterday', '--to', '2024-06-10T11:00:00Z', '--candidate', 'x.yaml'],
      ['--from', '2024-06-10T12:00:00Z', '--to', '2024-06-10T11:00:00Z', '--candidate', 'x.yaml'],
      ['--candidate'],
      ['--frm', 'x'],
    ]) {
      const x = io();
      expect(await replay(args, x.io)).toBe(2);
      expect(x.err[x.err.length - 1]).toMatch(/^usage: npm run replay -- --from <ISO> --to <ISO> --candidate <config file>/);
    }
    const x = io();
    await replay(['--from', '2024-06-10T10:00:00Z', '--to', '2024-06-10T11:00:00Z'], x.io);
    expect(x.err[0]).toBe('replay: --candidate is required');
    const bad = io();
    expect(await replay(['--from', '2024-06-10T10:00:00Z', '--to', '2024-06-10T11:00:00Z', '--candidate', 'test/fixtures/config/bad/unknown-team.yaml'], bad.io)).toBe(2);
    expect(bad.err[0]).toContain('unknown team "billing"');
  });

  it('shows progress on stderr every 500 bodies (and every second) on long runs', async () => {
    const body = JSON.stringify(loadFixture('threatstack', 'bare-alert'));
    const entries: ArchiveEntry[] = Array.from({ length: 1200 }, (_, i) => ({
      key: `raw/threatstack/2024/06/10/10/x_${i}.json`, source: 'threatstack', receivedAt: new Date(Date.parse('2024-06-10T10:00:00Z') + i * 1000).toISOString(),
    }));
    const reader: ArchiveReader = {
      list: async () => entries,
      read: async (e) => ({ body, source: 'threatstack', via: 'threatstack-webhook', receivedAt: e.receivedAt, requestId: e.key }),
    };
    const x = io();
    const args = ['--from', '2024-06-10T10:00:00Z', '--to', '2024-06-10T11:00:00Z', '--current', 'test/fixtures/golden/current.yaml', '--candidate', 'test/fixtures/golden/candidate.yaml'];
    expect(await replay(args, { ...x.io, reader: () => reader })).toBe(0);
    expect(x.err).toEqual(['replayed 500 / 1,200 bodies (41.7%)', 'replayed 1,000 / 1,200 bodies (83.3%)', 'replayed 1,200 / 1,200 bodies (100.0%)']);
    expect(x.out.join('\n')).toContain('1,200 alerts replayed: 0 page differently');
    let t = 0;
    const slow = io();
    expect(await replay(args, { ...slow.io, now: () => (t += 600), reader: () => ({ ...reader, list: async () => entries.slice(0, 3) }) })).toBe(0);
    expect(slow.err).toEqual(['replayed 2 / 3 bodies (66.7%)', 'replayed 3 / 3 bodies (100.0%)']);
  });

  it('reads the S3 layout: lists the hour prefixes in range, takes source, via and receivedAt from object metadata', async () => {
    const objects: Record<string, { body: string; meta: Record<string, string> }> = {
      'archive/raw/cloudwatch/2024/06/10/10/2024-06-10T10-05-00-000Z_msg-2.json': { body: '{"b":2}', meta: { source: 'cloudwatch', via: 'sns-lambda', receivedat: '2024-06-10T10:05:00.000Z', requestid: 'msg-2' } },
      'archive/raw/threatstack/2024/06/10/09/2024-06-10T09-59-00-000Z_a.json': { body: '{}', meta: {} },
      'archive/raw/threatstack/2024/06/10/10/2024-06-10T10-00-01-000Z_req-1.json': { body: '{"b":1}', meta: { source: 'threatstack', via: 'threatstack-webhook', receivedat: '2024-06-10T10:00:01.000Z', requestid: 'req-1' } },
      'archive/raw/threatstack/2024/06/10/11/2024-06-10T11-00-00-000Z_late.json': { body: '{}', meta: {} },
    };
    const prefixes: string[] = [];
    const s3 = {
      send: async (cmd: unknown) => {
        if (cmd instanceof ListObjectsV2Command) {
          const { Prefix = '', Delimiter } = cmd.input;
          prefixes.push(`${Prefix}${Delimiter ? ` (${Delimiter})` : ''}`);
          const keys = Object.keys(objects).filter((k) => k.startsWith(Prefix));
          if (Delimiter) return { CommonPrefixes: [...new Set(keys.map((k) => k.slice(0, k.indexOf('/', Prefix.length) + 1)))].map((p) => ({ Prefix: p })) };
          return { Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
        }
        if (cmd instanceof GetObjectCommand) {
          const o = objects[cmd.input.Key!]!;
          return { Body: { transformToString: async () => o.body }, Metadata: o.meta };
        }
        throw new Error('unexpected command');
      },
    };
    const reader = new S3ArchiveReader(s3 as never, 'bucket', 'archive/');
    const entries = await reader.list(Date.parse('2024-06-10T10:00:00Z'), Date.parse('2024-06-10T11:00:00Z'));
    expect(prefixes).toEqual(['archive/raw/ (/)', 'archive/raw/cloudwatch/2024/06/10/10/', 'archive/raw/threatstack/2024/06/10/10/']);
    expect(entries.map((e) => e.key)).toEqual([
      'archive/raw/threatstack/2024/06/10/10/2024-06-10T10-00-01-000Z_req-1.json',
      'archive/raw/cloudwatch/2024/06/10/10/2024-06-10T10-05-00-000Z_msg-2.json',
    ]);
    expect(await reader.read(entries[1]!)).toEqual({ body: '{"b":2}', source: 'cloudwatch', via: 'sns-lambda', receivedAt: '2024-06-10T10:05:00.000Z', requestId: 'msg-2' });
  });

  it('reads the S3 batch objects: each line received in range once (a redelivered line is left out), its body by a Range GET', async () => {
    const line = (requestId: string, receivedAt: string, body: string): AlertEnvelope =>
      ({ v: 1, messageKey: `m-${requestId}`, source: 'cloudwatch', via: 'sns-lambda', receivedAt, archiveKey: '', raw: { body, requestId }, alerts: [] });
    const first = batchObjectOf([line('a', '2024-06-10T09:59:59.000Z', '{"early":1}'), line('b', '2024-06-10T10:00:00.000Z', '{"b":"caf\u00e9"}')], new Date('2024-06-10T10:00:01.000Z'))!;
    const second = batchObjectOf([line('b', '2024-06-10T10:00:00.000Z', '{"b":"caf\u00e9"}'), line('c', '2024-06-10T10:59:00.000Z', '{"c":3}')], new Date('2024-06-10T11:30:00.000Z'))!;
    const objects: Record<string, string> = { [`archive/${first.key}`]: first.body, [`archive/${second.key}`]: second.body };
    const ranges: string[] = [];
    const s3 = {
      send: async (cmd: unknown) => {
        if (cmd instanceof ListObjectsV2Command) {
          const { Prefix = '', Delimiter } = cmd.input;
          const keys = Object.keys(objects).filter((k) => k.startsWith(Prefix));
          if (Delimiter) return { CommonPrefixes: [...new Set(keys.map((k) => k.slice(0, k.indexOf('/', Prefix.length) + 1)))].map((p) => ({ Prefix: p })) };
          return { Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
        }
        if (cmd instanceof GetObjectCommand) {
          const bytes = Buffer.from(objects[cmd.input.Key!]!, 'utf8');
          const m = /^bytes=(\d+)-(\d+)$/.exec(cmd.input.Range ?? '');
          if (m) ranges.push(cmd.input.Range!);
          const body = m ? bytes.subarray(Number(m[1]), Number(m[2]) + 1).toString('utf8') : bytes.toString('utf8');
          return { Body: { transformToString: async () => body } };
        }
        throw new Error('unexpected command');
      },
    };
    const reader = new S3ArchiveReader(s3 as never, 'bucket', 'archive/');
    const entries = await reader.list(Date.parse('2024-06-10T10:00:00Z'), Date.parse('2024-06-10T11:00:00Z'));
    expect(entries.map((e) => [e.receivedAt, e.key.startsWith(`archive/${first.key}#bytes=`) ? 'first' : 'second'])).toEqual([
      ['2024-06-10T10:00:00.000Z', 'first'],
      ['2024-06-10T10:59:00.000Z', 'second'],
    ]);
    expect(await reader.read(entries[0]!)).toEqual({ body: '{"b":"caf\u00e9"}', source: 'cloudwatch', via: 'sns-lambda', receivedAt: '2024-06-10T10:00:00.000Z', requestId: 'b' });
    expect(ranges).toHaveLength(1);
  });

  it('reads receive times from archive keys and lists the hours of a range', () => {
    expect(receivedAtOfKey(archiveKeyOf('cloudwatch', '2024-06-10T10:03:13.402Z', 'a:b'))).toBe('2024-06-10T10:03:13.402Z');
    expect(receivedAtOfKey('raw/x/notes.json')).toBeNull();
    expect(hoursBetween(Date.parse('2024-06-10T22:30:00Z'), Date.parse('2024-06-11T01:00:00Z'))).toEqual(['2024/06/10/22', '2024/06/10/23', '2024/06/11/00']);
  });
});
