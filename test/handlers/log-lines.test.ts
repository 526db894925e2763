/**
 * What the high-volume handlers log per invocation at INFO, the level deployed functions run at (every line is paid
 * for in CloudWatch Logs): the processor one summary line per batch, whatever its size, and each alert's decision at
 * DEBUG only; the ingest nothing for an accepted request (the access log and the AlertsAccepted metric record it) and
 * its `delivery accepted` line at DEBUG. Warnings and errors are unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import type { InvalidPayloadError } from '../../lambdas/core/errors';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { StaticIntegrationSecrets } from '../../lambdas/adapters/secrets/integration-secrets';
import { SnsMessageVerifier } from '../../lambdas/adapters/sns/sns-message-verifier';
import type * as IngestEvents from '../../lambdas/handlers/shared/ingest-events';
import type * as IngestHttp from '../../lambdas/handlers/ingest-http';
import type * as ProcessAlerts from '../../lambdas/handlers/process-alerts';
import type { HttpEvent } from '../../lambdas/handlers/shared/http';
import { alert, envelope, NOW, testConfig } from '../support/builders';

const context = { functionName: 'fn', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:fn', memoryLimitInMB: '256', awsRequestId: 'req-42', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

interface Handlers {
  createProcessAlertsHandler: typeof ProcessAlerts.createProcessAlertsHandler;
  createIngestHttpHandler: typeof IngestHttp.createIngestHttpHandler;
  ingestEventRecords: typeof IngestEvents.ingestEventRecords;
  /** The error class of that module graph (the event ingest tells an invalid record by `instanceof`). */
  InvalidPayloadError: typeof InvalidPayloadError;
}

/**
 * The handlers' modules loaded afresh as in a function whose application log level is `level`: Lambda's advanced
 * logging controls set AWS_LAMBDA_LOG_LEVEL, which the Logger reads when it is created and keeps on warm invocations.
 */
function handlersAt(level: 'INFO' | 'DEBUG'): Handlers {
  let handlers: Handlers | undefined;
  process.env.AWS_LAMBDA_LOG_LEVEL = level;
  try {
    jest.isolateModules(() => {
      handlers = {
        createProcessAlertsHandler: (jest.requireActual('../../lambdas/handlers/process-alerts') as typeof ProcessAlerts).createProcessAlertsHandler,
        createIngestHttpHandler: (jest.requireActual('../../lambdas/handlers/ingest-http') as typeof IngestHttp).createIngestHttpHandler,
        ingestEventRecords: (jest.requireActual('../../lambdas/handlers/shared/ingest-events') as typeof IngestEvents).ingestEventRecords,
        InvalidPayloadError: (jest.requireActual('../../lambdas/core/errors') as { InvalidPayloadError: typeof InvalidPayloadError }).InvalidPayloadError,
      };
    });
  } finally {
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
  }
  return handlers!;
}

/** The JSON log lines (not EMF) `fn` wrote to stdout and stderr (the Logger writes warnings and errors there). */
async function logsOf(fn: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) => jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true)));
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((d) => !('_aws' in d));
}

function processor({ createProcessAlertsHandler }: Handlers) {
  return createProcessAlertsHandler({
    config: testConfig, store: new InMemoryIncidentStore(), escalator: { start: async () => {}, stop: async () => {} },
    deadLetters: { put: async () => {} }, clock: { now: () => new Date(NOW) },
  });
}

/** 3 queue messages, 25 alerts over 3 fingerprints: 3 incidents opened, 22 alerts joined them. */
function batch(): SQSEvent {
  const message = (fp: string, n: number) => envelope(Array.from({ length: n }, (_, i) => alert({ key: `${fp}-${i}`, fp })));
  return { Records: [message('fp-a', 10), message('fp-b', 10), message('fp-c', 5)].map((e, i) => ({ messageId: `m-${i}`, body: JSON.stringify(e) })) } as unknown as SQSEvent;
}

describe('log lines of the processor and the ingest', () => {
  it('the processor logs one INFO summary line for a batch of 25 alerts: counts by outcome and reason, incidents opened and updated', async () => {
    const logs = await logsOf(() => processor(handlersAt('INFO'))(batch(), context));
    expect(logs).toHaveLength(1);
    const [line] = logs;
    expect(line).toMatchObject({ level: 'INFO', message: 'batch processed', records: 3, alerts: 25, failedRecords: 0, incidentsOpened: 3, function_request_id: 'req-42' });
    expect(line!.outcomes).toEqual({ opened: 3, joined: 22 });
    expect(Object.values(line!.reasons as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(25);
    expect(line!.incidentsUpdated).toBe(0);
  });

  it('counts the incidents a later batch updated', async () => {
    const handler = processor(handlersAt('INFO'));
    await logsOf(() => handler(batch(), context));
    const event = { Records: [{ messageId: 'm-9', body: JSON.stringify(envelope([alert({ key: 'later-1', fp: 'fp-a' }), alert({ key: 'later-2', fp: 'fp-b' })])) }] } as unknown as SQSEvent;
    const [line] = await logsOf(() => handler(event, context));
    expect(line).toMatchObject({ message: 'batch processed', alerts: 2, incidentsOpened: 0, incidentsUpdated: 2, outcomes: { joined: 2 } });
  });

  it('the processor logs each alert decision at DEBUG, with its reason', async () => {
    const logs = await logsOf(() => processor(handlersAt('DEBUG'))(batch(), context));
    const decisions = logs.filter((l) => l.message === 'alert decision');
    expect(decisions).toHaveLength(25);
    for (const d of decisions) expect(d).toMatchObject({ level: 'DEBUG', outcome: expect.any(String), reason: expect.any(String), deliveryKey: expect.any(String) });
    expect(logs.filter((l) => l.message === 'batch processed')).toHaveLength(1);
  });

  it('the HTTP ingest logs nothing at INFO for an accepted request, and `delivery accepted` at DEBUG', async () => {
    const token = 'a'.repeat(32);
    const ingestAt = (level: 'INFO' | 'DEBUG') => handlersAt(level).createIngestHttpHandler({
      config: testConfig, archive: { put: async () => {} }, queue: { send: async () => {} }, integrationSecrets: new StaticIntegrationSecrets(() => ({ default: { token } })),
      sns: new SnsMessageVerifier({ allowedTopicArns: [] }), clock: { now: () => new Date(NOW) }, newRequestId: () => 'r',
    });
    const body = readFileSync(join(__dirname, '..', 'fixtures', 'events', 'threatstack', 'batch-host-and-cloudtrail.json'), 'utf8'); // 2 alerts
    const call = (handler: ReturnType<typeof ingestAt>) => handler({
      version: '2.0', routeKey: 'POST /ingest/threatstack/{token}', rawPath: '/', rawQueryString: '', headers: {}, body, isBase64Encoded: false, pathParameters: { token },
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.1', userAgent: 'test' } },
    } as unknown as HttpEvent, context);
    const atInfo = ingestAt('INFO');
    let answer: unknown;
    expect(await logsOf(async () => (answer = await call(atInfo)))).toEqual([]);
    expect(answer).toMatchObject({ statusCode: 200 });
    expect(await logsOf(() => call(atInfo))).toEqual([]); // warm: still INFO
    const debug = await logsOf(() => call(ingestAt('DEBUG')));
    expect(debug).toEqual([expect.objectContaining({ level: 'DEBUG', message: 'delivery accepted', source: 'threatstack', alerts: 2 })]);
  });

  it('the event ingest logs nothing at INFO for an accepted record, and still warns with the reason for a rejected one', async () => {
    const deps = { archive: { put: async () => {} }, queue: { send: async () => {} }, deadLetters: { put: async () => {} }, clock: { now: () => new Date(NOW) } };
    const { ingestEventRecords, InvalidPayloadError: InvalidPayload } = handlersAt('INFO');
    const accepted = await logsOf(() => ingestEventRecords('cloudwatch', 'sns', [{ raw: {}, requestId: 'r-1', normalize: () => [alert({ key: 'k-1' })] }], deps));
    expect(accepted).toEqual([]);
    const rejected = await logsOf(() => ingestEventRecords('cloudwatch', 'sns', [{
      raw: {}, requestId: 'r-2', normalize: () => {
        throw new InvalidPayload([{ path: 'AlarmName', message: 'AlarmName is required' }]);
      },
    }], deps));
    expect(rejected).toEqual([expect.objectContaining({ level: 'WARN', message: 'record rejected; sent to the dead-letter queue', error: expect.stringContaining('AlarmName') })]);
  });
});
