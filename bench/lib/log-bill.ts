/**
 * What the pipeline's CloudWatch Logs bill is made of, per line, as AWS would write it (bench/lib/cost.ts prices it):
 *
 * - our handlers' JSON lines (Powertools Logger), measured on the local runtime and re-sized to the Lambda context
 *   fields Powertools adds in AWS (`awsLineBytes`: a full function ARN and name, the memory size, the X-Ray trace id);
 * - the EMF metric lines each invocation flushes (`emfBytes`: the real EmfMetricsSink, its output captured);
 * - Lambda's platform lines per invocation (`PLATFORM_TEXT_BYTES`: START, END, REPORT with the X-Ray line of active
 *   tracing, text format; none with JSON format and system log level WARN, `platformBytesPerInvocation`);
 * - the HTTP API's access log line per request (`accessLogLineBytes`: the stage's format filled in with typical
 *   values).
 *
 * CloudWatch counts 26 bytes of overhead per log event on top of its message (the PutLogEvents size rule); the model
 * adds them to every line (`LOG_EVENT_OVERHEAD`), which overstates the bill slightly if ingestion is metered on the
 * message alone.
 */
import type { MetricPoint } from '../../lambdas/core/ports';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfMetricsSink } from '../../lambdas/adapters/metrics/emf-metrics';

export const LOG_EVENT_OVERHEAD = 26;

const REQUEST_ID = '0d5c3b8e-6f1a-4c2e-9b7d-3a8f2e1c4b6d';
const TRACE_ROOT = '1-6751a3c2-0f8e7d6c5b4a39281706f5e4';

/** The Lambda context Powertools' injectLambdaContext writes on every line in AWS (typical CDK-generated names). */
export function awsContextFields(fn: string, memoryMb: number): Record<string, unknown> {
  const name = `prod-AlertPipelineStack-${fn.replace(/[^A-Za-z0-9]/g, '')}Function3F2A9C1B-Xk7pQ2mN9rT4`;
  return {
    cold_start: false,
    function_arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    function_memory_size: String(memoryMb),
    function_name: name,
    function_request_id: REQUEST_ID,
    sampling_rate: 0,
    xray_trace_id: TRACE_ROOT,
  };
}

/**
 * Bytes of one stdout line of the local runtime as Lambda would store it: a Powertools line that carries the local
 * Lambda context (`function_request_id`) gets the context fields of AWS instead of the local ones; other lines count
 * as they are. Plus the per-event overhead.
 */
export function awsLineBytes(line: string, memoryMb = 256): number {
  let bytes = Buffer.byteLength(line) + 1;
  if (line.startsWith('{') && line.includes('"function_request_id"')) {
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      const fn = typeof obj.function_name === 'string' ? obj.function_name : 'fn';
      bytes = Buffer.byteLength(JSON.stringify({ ...obj, ...awsContextFields(fn, fn === 'processor' ? 512 : memoryMb) })) + 1;
    } catch {
      // not JSON after all: counted as written
    }
  }
  return bytes + LOG_EVENT_OVERHEAD;
}

/** Lambda's platform lines of one invocation in text format (typical values; active tracing adds the XRAY line). */
export const PLATFORM_TEXT_LINES = [
  `START RequestId: ${REQUEST_ID} Version: $LATEST`,
  `END RequestId: ${REQUEST_ID}`,
  `REPORT RequestId: ${REQUEST_ID}\tDuration: 23.45 ms\tBilled Duration: 24 ms\tMemory Size: 256 MB\tMax Memory Used: 92 MB\t\nXRAY TraceId: ${TRACE_ROOT}\tSegmentId: 5c3a1f0e9d8b7a6c\tSampled: true\t`,
] as const;

export const PLATFORM_TEXT_BYTES = PLATFORM_TEXT_LINES.reduce((a, l) => a + Buffer.byteLength(l) + 1 + LOG_EVENT_OVERHEAD, 0);

/**
 * Platform bytes per invocation for a function's system log level (JSON format): none at WARN or above (START, END and
 * REPORT are INFO records); otherwise, or in text format (no level), the text lines (the JSON records are larger).
 */
export function platformBytesPerInvocation(systemLogLevel: string | undefined): number {
  return systemLogLevel === 'WARN' || systemLogLevel === 'ERROR' || systemLogLevel === 'FATAL' ? 0 : PLATFORM_TEXT_BYTES;
}

/** Typical values of the `$context` variables an access log format uses. */
const CONTEXT_SAMPLE: Record<string, string> = {
  requestId: 'XyZ1aBcDIAMEcQA=',
  requestTime: '02/Dec/2026:06:26:05 +0000',
  requestTimeEpoch: '1796106365123',
  'identity.sourceIp': '203.0.113.45',
  'identity.userAgent': 'Alertmanager/0.27.0',
  httpMethod: 'POST',
  routeKey: 'POST /ingest/alertmanager/{token}',
  protocol: 'HTTP/1.1',
  status: '200',
  responseLength: '74',
  responseLatency: '38',
  integrationLatency: '35',
  integrationErrorMessage: '-',
  'integration.error': '-',
  'integration.status': '200',
  'authorizer.error': '-',
};

/** Bytes of one access log line of `format` (the stage's format string) filled in with typical values. */
export function accessLogLineBytes(format: string, overrides: Record<string, string> = {}): number {
  const values = { ...CONTEXT_SAMPLE, ...overrides };
  const line = format.replace(/\$context\.([A-Za-z0-9.]+)/g, (_, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`no sample value for $context.${k}`);
    return v;
  });
  return Buffer.byteLength(line) + 1 + LOG_EVENT_OVERHEAD;
}

/** Bytes the real EMF sink writes for one invocation's points (each line plus the per-event overhead). */
export function emfBytes(points: readonly MetricPoint[]): number {
  const sink = new EmfMetricsSink(new Metrics({ namespace: 'AlertPipeline/prod-AlertPipelineStack', serviceName: 'alert-pipeline' }));
  sink.add(points);
  let bytes = 0;
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) if (line) bytes += Buffer.byteLength(line) + 1 + LOG_EVENT_OVERHEAD;
    return true;
  }) as typeof process.stdout.write;
  try {
    sink.flush();
  } finally {
    process.stdout.write = write;
  }
  return bytes;
}
