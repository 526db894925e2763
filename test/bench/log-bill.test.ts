/**
 * The bench prices the log bill from the stack's own formats (bench/lib/log-bill.ts): these guard that it can size
 * them, and the budgets the logging choices of docs/deploy.md §12 were made for.
 */
import { accessLogLineBytes, awsLineBytes, emfBytes, LOG_EVENT_OVERHEAD, platformBytesPerInvocation, PLATFORM_TEXT_BYTES } from '../../bench/lib/log-bill';
import { acceptedMetrics } from '../../lambdas/core/metrics';
import { ACCESS_LOG_FORMAT, FUNCTION_LOGGING } from '../../lib/constructs/defaults';

describe('log bill', () => {
  it('sizes the stage access log line from its format (every $context variable has a typical value), ≤ 200 bytes', () => {
    const bytes = accessLogLineBytes(ACCESS_LOG_FORMAT.toString());
    expect(bytes).toBeGreaterThan(100);
    expect(bytes).toBeLessThanOrEqual(200);
  });

  it('refuses a format variable it has no typical value for, rather than under-counting it', () => {
    expect(() => accessLogLineBytes('{"x":"$context.somethingNew"}')).toThrow('$context.somethingNew');
  });

  it('re-sizes a local Powertools line to the Lambda context of AWS (ARN, memory size, trace id)', () => {
    const local = JSON.stringify({ level: 'INFO', message: 'batch processed', cold_start: false, function_name: 'processor', function_request_id: 'r-1', sampling_rate: 0 });
    expect(awsLineBytes(local)).toBeGreaterThan(Buffer.byteLength(local) + 200);
    expect(awsLineBytes('not json')).toBe(9 + LOG_EVENT_OVERHEAD);
  });

  it('prices no platform lines at the system log level the functions are deployed with, the text lines otherwise', () => {
    expect(platformBytesPerInvocation(FUNCTION_LOGGING.systemLogLevel)).toBe(0);
    expect(platformBytesPerInvocation(undefined)).toBe(PLATFORM_TEXT_BYTES);
  });

  it('measures the EMF line of an ingest invocation from the real sink (one line, ~300 bytes)', () => {
    const write = process.stdout.write;
    const bytes = emfBytes(acceptedMetrics('alertmanager', 1));
    expect(process.stdout.write).toBe(write);
    expect(bytes).toBeGreaterThan(200);
    expect(bytes).toBeLessThan(400);
  });
});
