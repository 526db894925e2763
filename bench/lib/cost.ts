/**
 * Cost per million alerts from measured counts and the price table of docs/limits-and-prices.md §2 (us-east-1 list
 * prices, arm64, free tiers ignored), laid out like its §3: an ingest path (a) and an escalation part (b) at a given
 * incident rate.
 */

export const PRICES = {
  httpApiPerRequest: 1.0 / 1e6,
  lambdaPerRequest: 0.2 / 1e6,
  lambdaPerGbSecondArm: 0.0000133334,
  sqsPerRequest: 0.4 / 1e6,
  dynamoPerWru: 0.625 / 1e6,
  dynamoPerRru: 0.125 / 1e6,
  sfnPerTransition: 0.025 / 1000,
  snsPerPublish: 0.5 / 1e6,
  logsPerGb: 0.5,
  s3PerPut: 0.005 / 1000,
  xrayPerTrace: 5.0 / 1e6,
} as const;

/**
 * Lambda active tracing samples by X-Ray's default rule: the first request each second (the reservoir, ~2.6 M traces a
 * month at any steady load: ~$13 a month, not per alert) and 5 % of the rest, which is what grows with the alerts.
 */
export const XRAY_SAMPLED_SHARE = 0.05;

/** docs/limits-and-prices.md §3 anchors, used where a local measurement would understate AWS (network I/O). */
export const ANCHORS = {
  ingestMemoryGb: 0.25,
  ingestMinMs: 25,
  processorMemoryGb: 0.5,
  taskMemoryGb: 0.25,
  taskMs: 50,
  apiMemoryGb: 0.25,
  apiMs: 25,
} as const;

/** Per-alert figures of the ingest path, measured on a workload with the given incident rate. */
export interface IngestMeasure {
  /** HTTP requests per alert (billed per 512 KB: at most one unit per request here). */
  requestsPerAlert: number;
  apiUnitsPerAlert: number;
  ingestMs: number;
  sqsRequestsPerAlert: number;
  processorInvocationsPerAlert: number;
  processorMsPerInvocation: number;
  wruPerAlert: number;
  rruPerAlert: number;
  /**
   * S3 PUTs per alert, measured: the raw archive's objects (one per processor batch of the bodies the messages
   * carry, one per delivery too large for one message) over the alerts of the run.
   */
  s3PutsPerAlert: number;
  logs: IngestLogs;
}

/**
 * The CloudWatch Logs the ingest path writes, per alert, as AWS would store them (bench/lib/log-bill.ts): every
 * figure in bytes including CloudWatch's per-event overhead.
 */
export interface IngestLogs {
  /** Our handlers' JSON lines (ingest and processor), with the Lambda context fields of AWS. */
  handlerLinesPerAlert: number;
  handlerBytesPerAlert: number;
  /** EMF metric lines: per ingest invocation and per processor invocation. */
  emfBytesPerIngest: number;
  emfBytesPerProcessor: number;
  /** Lambda's START/END/REPORT (or platform.* records) per invocation: 0 at system log level WARN. */
  platformBytesPerInvocation: number;
  /** The HTTP API's access log line per request. */
  accessLogBytesPerRequest: number;
}

/** Per-incident figures of an escalation path (beyond what the ingest measurement already includes). */
export interface EscalationMeasure {
  transitions: number;
  taskInvocations: number;
  notifications: number;
  /** API requests per incident (an acknowledgement through the API = 1). */
  apiRequests: number;
  extraWru: number;
  extraRru: number;
  /** CloudWatch Logs bytes per incident: the task functions' platform and EMF lines, the acknowledgement's lines. */
  logBytes: number;
}

export interface CostLine {
  item: string;
  quantity: string;
  dollars: number;
}

export interface CostBreakdown {
  lines: CostLine[];
  ingest: number;
  escalation: number;
  total: number;
}

const M = 1e6;
const n = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 });

export function costPerMillion(ingest: IngestMeasure, esc: EscalationMeasure, incidentRate: number): CostBreakdown {
  const lines: CostLine[] = [];
  const inc = incidentRate * M;
  const gbs = (inv: number, gb: number, ms: number) => inv * gb * (ms / 1000);

  const requests = ingest.requestsPerAlert * M;
  lines.push({ item: 'HTTP API', quantity: `${n(ingest.apiUnitsPerAlert * M)} requests`, dollars: ingest.apiUnitsPerAlert * M * PRICES.httpApiPerRequest });
  const ingestGbs = gbs(requests, ANCHORS.ingestMemoryGb, ingest.ingestMs);
  lines.push({
    item: 'Ingest Lambda',
    quantity: `${n(requests)} inv.; ${n(ingestGbs)} GB-s (256 MB × ${n(ingest.ingestMs, 1)} ms)`,
    dollars: requests * PRICES.lambdaPerRequest + ingestGbs * PRICES.lambdaPerGbSecondArm,
  });
  lines.push({ item: 'SQS', quantity: `${n(ingest.sqsRequestsPerAlert * M)} requests (send + receive + delete, 64 KB chunks)`, dollars: ingest.sqsRequestsPerAlert * M * PRICES.sqsPerRequest });
  const procInv = ingest.processorInvocationsPerAlert * M;
  const procGbs = gbs(procInv, ANCHORS.processorMemoryGb, ingest.processorMsPerInvocation);
  lines.push({
    item: 'Processor Lambda',
    quantity: `${n(procInv)} inv.; ${n(procGbs)} GB-s (512 MB × ${n(ingest.processorMsPerInvocation)} ms)`,
    dollars: procInv * PRICES.lambdaPerRequest + procGbs * PRICES.lambdaPerGbSecondArm,
  });
  lines.push({
    item: 'DynamoDB',
    quantity: `${n(ingest.wruPerAlert * M)} WRU + ${n(ingest.rruPerAlert * M)} RRU`,
    dollars: ingest.wruPerAlert * M * PRICES.dynamoPerWru + ingest.rruPerAlert * M * PRICES.dynamoPerRru,
  });
  lines.push({ item: 'S3 raw archive (PUT per processor batch)', quantity: `${n(ingest.s3PutsPerAlert * M)} PUTs`, dollars: ingest.s3PutsPerAlert * M * PRICES.s3PerPut });
  const lg = ingest.logs;
  const gb = (bytesPerAlert: number) => (bytesPerAlert * M) / 1e9;
  const logLine = (item: string, bytesPerAlert: number, what: string) =>
    lines.push({ item, quantity: `${n(gb(bytesPerAlert), 3)} GB (${what})`, dollars: gb(bytesPerAlert) * PRICES.logsPerGb });
  logLine('CloudWatch Logs: handler lines', lg.handlerBytesPerAlert, `${n(lg.handlerLinesPerAlert, 2)} lines/alert, ${n(lg.handlerBytesPerAlert / Math.max(1e-9, lg.handlerLinesPerAlert))} B each`);
  logLine('CloudWatch Logs: EMF metrics', requests / M * lg.emfBytesPerIngest + procInv / M * lg.emfBytesPerProcessor, `${n(lg.emfBytesPerIngest)} B per ingest, ${n(lg.emfBytesPerProcessor)} B per processor invocation`);
  logLine('CloudWatch Logs: Lambda platform lines', (requests + procInv) / M * lg.platformBytesPerInvocation,
    lg.platformBytesPerInvocation > 0 ? `START/END/REPORT, ${n(lg.platformBytesPerInvocation)} B per invocation` : 'none: system log level WARN');
  logLine('CloudWatch Logs: API access log', ingest.requestsPerAlert * lg.accessLogBytesPerRequest, `${n(lg.accessLogBytesPerRequest)} B per request`);
  // The ingest functions trace in pass-through mode (lambdas/handlers/functions.ts): the HTTP API, SNS and EventBridge
  // send them no sampled trace header, so only the processor's invocations are sampled on this path.
  const traced = procInv * XRAY_SAMPLED_SHARE;
  lines.push({ item: 'X-Ray traces (active tracing)', quantity: `${n(traced)} traces (5 % of ${n(procInv)} processor invocations; ingest: pass-through)`, dollars: traced * PRICES.xrayPerTrace });
  const ingestTotal = lines.reduce((a, l) => a + l.dollars, 0);

  const escLines: CostLine[] = [];
  escLines.push({ item: 'Step Functions Standard', quantity: `${n(inc)} incidents × ${n(esc.transitions, 2)} transitions`, dollars: inc * esc.transitions * PRICES.sfnPerTransition });
  const taskInv = inc * esc.taskInvocations;
  const taskGbs = gbs(taskInv, ANCHORS.taskMemoryGb, ANCHORS.taskMs);
  escLines.push({ item: 'Escalation task Lambdas', quantity: `${n(taskInv)} inv.; ${n(taskGbs)} GB-s`, dollars: taskInv * PRICES.lambdaPerRequest + taskGbs * PRICES.lambdaPerGbSecondArm });
  escLines.push({ item: 'Notifications (SNS publish)', quantity: `${n(inc * esc.notifications)}`, dollars: inc * esc.notifications * PRICES.snsPerPublish });
  if (esc.apiRequests > 0) {
    const req = inc * esc.apiRequests;
    escLines.push({
      item: 'Acknowledgements (HTTP API + api Lambda)',
      quantity: `${n(req)} requests`,
      dollars: req * (PRICES.httpApiPerRequest + PRICES.lambdaPerRequest) + gbs(req, ANCHORS.apiMemoryGb, ANCHORS.apiMs) * PRICES.lambdaPerGbSecondArm,
    });
  }
  if (esc.extraWru > 0 || esc.extraRru > 0) {
    escLines.push({
      item: 'DynamoDB (escalation steps)',
      quantity: `${n(inc * esc.extraWru)} WRU + ${n(inc * esc.extraRru)} RRU`,
      dollars: inc * (esc.extraWru * PRICES.dynamoPerWru + esc.extraRru * PRICES.dynamoPerRru),
    });
  }
  if (esc.logBytes > 0) {
    const logGb = (inc * esc.logBytes) / 1e9;
    escLines.push({ item: 'CloudWatch Logs (escalation)', quantity: `${n(logGb, 3)} GB (${n(esc.logBytes)} B per incident)`, dollars: logGb * PRICES.logsPerGb });
  }
  const escInvocations = inc * (esc.taskInvocations + esc.apiRequests + (esc.transitions > 0 ? 1 : 0));
  escLines.push({
    item: 'X-Ray traces (escalation)',
    quantity: `${n(escInvocations * XRAY_SAMPLED_SHARE)} traces (5 % of task and API invocations and executions)`,
    dollars: escInvocations * XRAY_SAMPLED_SHARE * PRICES.xrayPerTrace,
  });
  const escalationTotal = escLines.reduce((a, l) => a + l.dollars, 0);
  return { lines: [...lines, ...escLines], ingest: ingestTotal, escalation: escalationTotal, total: ingestTotal + escalationTotal };
}
