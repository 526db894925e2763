/**
 * `npm run bench`: the performance and cost benchmark (a script, not a test). Prints its tables and writes them to
 * docs/performance.md. About 3 minutes on 2 vCPUs. Sections:
 *
 * 1. core pipeline throughput in one process (normalize, fingerprint, rules, route, dedup decision);
 * 2. a storm of 20,000 alerts over 200 fingerprints sent over HTTP in batches of 100 (8 requests in flight) to the
 *    local runtime (its own process, embedded DynamoDB in memory) and, in the same run, to Prometheus Alertmanager
 *    (Debian's package, installed here when missing and allowed) with a local webhook receiver; accepted alerts/s,
 *    first-arrival-to-page p50/p99, pages, and the ratios;
 * 3. DynamoDB request units per alert (unique alerts, the storm, a 5 % incident mix), counted from the SDK calls;
 * 4. state transitions, notifications and DynamoDB units per incident for each escalation path;
 * 5. cost per million alerts from those counts and the prices of docs/limits-and-prices.md;
 * 6. status page freshness: a sev1 alert posted -> status.json showing major_outage (median, p95 over 20 runs);
 * 7. each Lambda bundle's size and import time;
 * 8. insights at scale: GET /api/analytics and a full GET /api/export over 100,000 incidents (bench/lib/insights.ts).
 *
 * Environment: BENCH_QUICK=1 shrinks every workload (a smoke run; figures not comparable); BENCH_NO_INSTALL=1 never
 * installs Alertmanager; BENCH_OUT=<file> writes the report elsewhere; BENCH_ONLY=storm runs only the storm (local
 * runtime and Alertmanager), prints its figures and writes no report (to iterate on the storm path); BENCH_ONLY=cost
 * runs only the cost workloads (the 5 % mix in batches and one alert per request, two escalation paths) and prints
 * the cost tables, no report; BENCH_ONLY=bundles builds and imports the Lambda bundles alone (BENCH_BUNDLES=api,act:
 * only those handler files; BENCH_RUNS=n imports per bundle, default 7; the SDK bundled, as deployed), prints them
 * against the budget and writes no report; BENCH_ONLY=core runs only the core throughput and its profile, the same
 * way (BENCH_CORE_RUNS=<n> runs per config, default 5).
 */
import '../lambdas/local/check-node-version'; // first: stops with a clear message on an unsupported Node.js
import './lib/env';
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadPipelineConfig } from '../lib/config/load-pipeline-config';
import { fingerprintOf } from '../lambdas/core/fingerprint';
import { incidentIdOf } from '../lambdas/core/deduplicate';
import { ensureAlertmanager, startAlertmanager, startWebhookReceiver } from './lib/alertmanager';
import { benchConfig } from './lib/bench-config';
import { BUNDLE_BUDGET, bundleSection, bundleTargetRow, measureBundles, nodeStartMs, type BundleResult } from './lib/bundles';
import { coreThroughput, profileCore, type CoreResult } from './lib/core';
import { alarmEnrichmentLine, measureAlarmEnrichment } from './lib/alarm-enrichment';
import { measureDashboard, measureInsights, type DashboardScale, type InsightsScale } from './lib/insights';
import { costPerMillion, type CostBreakdown, type EscalationMeasure, type IngestMeasure } from './lib/cost';
import { accessLogLineBytes, emfBytes, platformBytesPerInvocation } from './lib/log-bill';
import { acceptedMetrics, processMetrics } from '../lambdas/core/metrics';
import type { AlertOutcome } from '../lambdas/core/deduplicate';
import { ACCESS_LOG_FORMAT, FUNCTION_LOGGING } from '../lib/constructs/defaults';
import { measureEscalation, type EscalationResult } from './lib/escalation';
import { startRuntimeProcess, type ChildStats } from './lib/runtime-process';
import { measureFreshness } from './lib/freshness';
import { LATENCIES, modelTimeToPage, RUNTIME_INIT_MS, type ModelResult } from './lib/aws-model';
import { alertmanagerBody, alertname, batches, buildStorm, EXTERNAL_URL, sendStorm, webhookBody, type StormAlert } from './lib/storm';
import { fmt, fmtBytes, fmtMs, median, percentile, sleep } from './lib/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const ONLY_STORM = process.env.BENCH_ONLY === 'storm';
const ONLY_COST = process.env.BENCH_ONLY === 'cost';
const ONLY_BUNDLES = process.env.BENCH_ONLY === 'bundles';
const ONLY_CORE = process.env.BENCH_ONLY === 'core';
const ROOT = join(__dirname, '..');
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'docs', 'performance.md');

const STORM = { alerts: QUICK ? 2_000 : 20_000, fingerprints: QUICK ? 20 : 200, batch: 100, concurrency: 8 };
const UNIQUE = { alerts: QUICK ? 200 : 1_000, batch: 100 };
const MIX = { alerts: QUICK ? 2_000 : 10_000, fingerprints: QUICK ? 100 : 500, batch: 100 };
const SINGLE = { alerts: QUICK ? 400 : 2_000, fingerprints: QUICK ? 20 : 100 };
const INCIDENT_RATE = 0.05;
const INSIGHTS_INCIDENTS = QUICK ? 10_000 : 100_000;

function insightsLine(m: InsightsScale): string {
  return `analytics ${fmtMs(m.analyticsMs)} (${fmtMs(m.analyticsCpuMs)} CPU), +${fmt(m.analyticsPeakHeapMb, 1)} MB retained heap; export ${m.exportParts} parts, ${fmt(m.exportRows)} rows, ${fmtBytes(m.exportBytes)} in ${fmtMs(m.exportMs)} (${fmtMs(m.exportCpuMs)} CPU), largest part ${fmtBytes(m.largestPartBytes)}, +${fmt(m.exportPeakHeapMb, 1)} MB retained heap`;
}

/** The docs/performance.md section of the insights measurement. */
function insightsSection(m: InsightsScale): string {
  return `## Insights at scale

\`GET /api/analytics\` (\`groupBy=service&bucket=week\`) and a full \`GET /api/export\` (CSV, every part) over
${fmt(m.incidents)} incidents in one 60-day window, through the real handler and core (bench/lib/insights.ts) over a
synthetic store that builds each page on demand: the figure is the handler's and the core's, not the store's.
Retained heap = growth of \`heapUsed\` after a full collection, sampled every 5,000 incidents (analytics) and
after every part (export).

| | wall clock | CPU | retained heap | |
|---|---:|---:|---:|---|
| analytics | ${fmtMs(m.analyticsMs)} | ${fmtMs(m.analyticsCpuMs)} | +${fmt(m.analyticsPeakHeapMb, 1)} MB | a few numbers per incident (percentiles, flaps, time open) |
| export | ${fmtMs(m.exportMs)} | ${fmtMs(m.exportCpuMs)} | +${fmt(m.exportPeakHeapMb, 1)} MB | ${m.exportParts} parts, ${fmt(m.exportRows)} rows, ${fmtBytes(m.exportBytes)}; largest part ${fmtBytes(m.largestPartBytes)} |
`;
}
function dashboardLine(d: DashboardScale): string {
  return `90-day dashboard: rollups ${fmtMs(d.fromRollups.ms)}, ${fmt(d.fromRollups.dynamoCalls)} DynamoDB calls (${d.fromRollups.rollupQueries} rollup queries + ${fmt(d.fromRollups.liveCalls)} for ${fmt(d.liveIncidents)} live incidents); incidents ${fmtMs(d.fromIncidents.ms)}, ${fmt(d.fromIncidents.dynamoCalls)} calls; counts equal: ${d.countsEqual}; worst percentile ${fmt(d.worstPercentileError * 100, 1)} %`;
}

/** The docs/performance.md section of the dashboard measurement (rollups vs incidents). */
function dashboardSection(d: DashboardScale): string {
  return `### A 90-day dashboard: rollups vs incidents

\`GET /api/analytics?groupBy=service&bucket=week\` over a 90-day window of the same ${fmt(d.incidents)} incidents, answered
from rollups (the resolved incidents' ${fmt(d.rollupItems)} rollup items in an embedded DynamoDB, read through
DynamoRollupStore) and over the incidents (\`basis=incidents\`) (bench/lib/insights.ts \`measureDashboard\`).
DynamoDB calls: the rollup store's queries, plus what the incident store makes for the incidents it reads (an index
query and a BatchGetItem per page of 100, one query per timeline). The synthetic history keeps
${fmt(d.liveIncidents)} incidents not resolved (every 23rd open, every 17th suppressed): far more than a real
table, and they are read live.

| Basis | wall clock | DynamoDB calls | |
|---|---:|---:|---|
| rollups | ${fmtMs(d.fromRollups.ms)} | ${fmt(d.fromRollups.dynamoCalls)} | ${d.fromRollups.rollupQueries} rollup queries, ${fmt(d.fromRollups.liveCalls)} for the live incidents |
| incidents | ${fmtMs(d.fromIncidents.ms)} | ${fmt(d.fromIncidents.dynamoCalls)} | every incident and its timeline |

Counts and means equal on both bases: ${d.countsEqual ? 'yes' : '**no**'}; the largest difference of an estimated
percentile (MTTA, MTTR, MTTK p50/p90/p95, totals and every service) is ${fmt(d.worstPercentileError * 100, 1)} %.
`;
}

const TARGETS = { wruPerAlertStorm: 0.2, transitionsAckedAtLevel1: 4, dollarsPerMillion: 4, straightforward: 12.54 };

const log = (line: string) => console.log(line);
const section = (title: string) => log(`\n== ${title}`);

// ---------------------------------------------------------------------------------------------------------------
// Local runtime workloads
// ---------------------------------------------------------------------------------------------------------------

interface LocalRun {
  alerts: number;
  accepted: number;
  requests: number;
  requestBytes: number;
  acceptMs: number;
  drainMs: number;
  requestLatencyP50: number;
  pages: number;
  incidents: number;
  pageLatencies: number[];
  stats: ChildStats;
  logBytes: number;
  /** stdout lines and their bytes as CloudWatch would store them (bench/lib/log-bill.ts). */
  logLines: { lines: number; awsBytes: number };
  /** Where the first alert of each fingerprint waited (ms per fingerprint), when asked for. */
  stages: PageStages | null;
  /** Objects the raw archive holds after the run: its PUTs (one per processor batch or per large delivery). */
  archivePuts: number;
}

/** Objects under a local raw archive folder (each `.meta.json` sibling belongs to its object): one PUT each. */
function archiveObjects(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += archiveObjects(join(dir, e.name));
    else if (!e.name.endsWith('.meta.json')) n += 1;
  }
  return n;
}

/**
 * The wait of the first alert of each fingerprint, cut at the times the pipeline records: the client sends its first
 * request -> the ingest receives the opening alert (`firstAlert.receivedAt`: HTTP, the ingest's queue) -> the
 * processor plans the incident (`openedAt`: the queue, the batching window, the batch's earlier work) -> the page is
 * in the outbox (the head write, the escalation start, the page's reads and writes).
 */
interface PageStages {
  ingest: number[];
  queue: number[];
  page: number[];
}

async function pageStages(url: string, apiToken: string, firstSent: Map<number, number>, byFp: Map<number, StormAlert>, firstPage: Map<string, number>): Promise<PageStages> {
  const out: PageStages = { ingest: [], queue: [], page: [] };
  for (const [fp, sentAt] of firstSent) {
    const id = incidentIdFor(byFp.get(fp)!);
    const res = await fetch(`${url}/api/incidents/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
    if (!res.ok) continue;
    const { incident } = (await res.json()) as { incident: { openedAt: string; firstAlert: { receivedAt: string } } };
    const received = Date.parse(incident.firstAlert.receivedAt);
    const opened = Date.parse(incident.openedAt);
    const paged = firstPage.get(id);
    out.ingest.push(received - sentAt);
    out.queue.push(opened - received);
    if (paged !== undefined) out.page.push(paged - opened);
  }
  return out;
}

function incidentIdFor(a: StormAlert): string {
  return incidentIdOf(fingerprintOf(`am:${EXTERNAL_URL}:${a.amFingerprint}`), 1);
}

async function runLocal(storm: StormAlert[], batch: number, concurrency: number, logLevel = 'WARN', withStages = false): Promise<LocalRun> {
  const rt = await startRuntimeProcess({ config: benchConfig('page-once'), inMemoryStore: true }, logLevel);
  try {
    await rt.reset();
    const requests = batches(storm, batch).map((alerts) => ({ alerts, body: webhookBody(alerts) }));
    const t0 = Date.now();
    const sent = await sendStorm(`${rt.url}/ingest/alertmanager/${rt.ingestToken}`, requests, concurrency);
    await rt.drain(300_000);
    const drainMs = Date.now() - t0;
    const stats = await rt.stats();
    const logBytes = rt.logBytes();
    const logLines = rt.logLines();
    const outbox = rt.outbox();
    const firstPage = new Map<string, number>();
    for (const e of outbox) if (!firstPage.has(e.incidentId)) firstPage.set(e.incidentId, Date.parse(e.at));
    const byFp = new Map<number, StormAlert>();
    for (const a of storm) if (!byFp.has(a.fp)) byFp.set(a.fp, a);
    const pageLatencies: number[] = [];
    for (const [fp, sentAt] of sent.firstSent) {
      const at = firstPage.get(incidentIdFor(byFp.get(fp)!));
      pageLatencies.push(at === undefined ? Number.POSITIVE_INFINITY : at - sentAt);
    }
    const stages = withStages ? await pageStages(rt.url, rt.apiToken, sent.firstSent, byFp, firstPage) : null;
    const archivePuts = archiveObjects(join(rt.dataDir, 'archive'));
    return {
      alerts: storm.length,
      accepted: sent.accepted,
      requests: requests.length,
      requestBytes: requests.reduce((n, r) => n + Buffer.byteLength(r.body), 0),
      acceptMs: sent.elapsedMs,
      drainMs,
      requestLatencyP50: median(sent.requestLatenciesMs),
      pages: outbox.length,
      incidents: firstPage.size,
      pageLatencies,
      stats,
      logBytes,
      logLines,
      stages,
      archivePuts,
    };
  } finally {
    await rt.stop();
  }
}

/** BENCH_ONLY=storm: the storm alone (local runtime, then Alertmanager), its figures on the console, no report. */
async function stormOnly(): Promise<void> {
  const storm = buildStorm(STORM.alerts, STORM.fingerprints);
  const local = await runLocal(storm, STORM.batch, STORM.concurrency, 'WARN', true);
  const am = process.env.BENCH_NO_AM === '1' ? { skipped: 'BENCH_NO_AM=1' } : await runAlertmanager(storm);
  const amOk = !('skipped' in am);
  const localRate = (local.accepted / local.acceptMs) * 1000;
  const amRate = amOk ? (am.accepted / am.acceptMs) * 1000 : Number.NaN;
  const st = local.stages;
  const mb = (b: number) => `${fmt(b / 1024 ** 2)} MB`;
  log(`accepted alerts/s: ${fmt(localRate)} vs ${amOk ? fmt(amRate) : 'skipped'} (${amOk ? `${fmt(localRate / amRate, 2)}×` : 'n/a'})`);
  log(`page p50 / p99: ${fmtMs(percentile(local.pageLatencies, 50))} / ${fmtMs(percentile(local.pageLatencies, 99))}${amOk ? ` vs ${fmtMs(percentile(am.pageLatencies, 50))} / ${fmtMs(percentile(am.pageLatencies, 99))}` : ''}`);
  if (st) for (const [name, v] of [['ingest', st.ingest], ['queue + batch', st.queue], ['open + page', st.page]] as const) log(`  ${name}: p50 ${fmtMs(percentile(v, 50))}, p99 ${fmtMs(percentile(v, 99))}`);
  log(`pages ${local.pages} (${local.incidents} incidents); drained in ${fmtMs(local.drainMs)}; ${local.stats.processor.invocations} processor batches (${local.stats.processor.recordsPerBatch.join(', ')} messages; ${local.stats.processor.durationsMs.map((d) => fmtMs(d)).join(', ')})`);
  const cap = local.stats.capacity;
  const scoped = (name: string) => cap.byScope[name]?.calls ?? 0;
  const allCalls = Object.values(cap.calls).reduce((a, b) => a + b, 0);
  log(`DynamoDB calls: ${fmt(allCalls)} (processor ${fmt(scoped('processor'))}, markers ${fmt(scoped('marker'))}, the rest, the pages, ${fmt(allCalls - scoped('processor') - scoped('marker'))} = ${fmt((allCalls - scoped('processor') - scoped('marker')) / Math.max(1, local.pages), 2)} per page); by command ${Object.entries(cap.calls).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`runtime CPU during the storm: ${fmtMs(local.stats.cpuMs)} (all threads); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const mp = local.stats.memoryPeak;
  log(`peak RSS ${mb(local.stats.maxRssBytes)} (after start-up ${mb(local.stats.startupRssBytes)}); sampled peaks: heap used ${mb(mp.heapUsed)}, heap total ${mb(mp.heapTotal)}, external ${mb(mp.external)} (array buffers ${mb(mp.arrayBuffers)})`);
}

/** BENCH_ONLY=bundles: the Lambda bundles alone (to iterate on their size and import time), on the console, no report. */
async function bundlesOnly(): Promise<void> {
  const config = loadPipelineConfig(join(ROOT, 'config', 'pipeline.yaml'));
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  const only = process.env.BENCH_BUNDLES?.split(',').map((s) => s.trim()).filter(Boolean);
  log(`node -e 0: ${fmtMs(nodeStartMs(runs))}`);
  const bundles = await measureBundles(config, { runs, ...(only ? { only } : {}) });
  const over = (b: BundleResult) => [b.bytes > BUNDLE_BUDGET.bytes ? 'size' : '', b.importMs > BUNDLE_BUDGET.importMs ? 'import' : ''].filter(Boolean).join(', ');
  for (const b of bundles) {
    log(`${b.name}: ${fmtBytes(b.bytes)} (${fmtBytes(b.gzipBytes)} gzip), import ${fmtMs(b.importMs)} (CPU ${fmtMs(b.importCpuMs)}, median of ${runs})${over(b) ? ` over budget: ${over(b)}` : ''}`);
    log(`  ${b.top.map((t) => `${t.name} ${fmt(t.bytes / 1024)}`).join(', ')}`);
  }
}

/** BENCH_ONLY=core: core throughput on both configs and the profile's top frames on the console, no report. */
async function coreOnly(): Promise<void> {
  const runs = Number(process.env.BENCH_CORE_RUNS ?? (QUICK ? 2 : 5));
  const n = QUICK ? 4_000 : 20_000;
  const fps = QUICK ? 40 : 200;
  const repoConfig = loadPipelineConfig(join(ROOT, 'config', 'pipeline.yaml'));
  for (const [name, config] of [['bench config', benchConfig()], ['config/pipeline.yaml', repoConfig]] as const) {
    const c = coreThroughput(config, n, fps, runs);
    const u = c.usPerAlert;
    log(`${name}: ${fmt(c.alertsPerSecond)} alerts/s (${fmt(c.cpuAlertsPerSecond)} per CPU second); µs/alert ${fmt(u.total, 1)}: normalize ${fmt(u.normalize, 1)}, fingerprint + rules + route ${fmt(u.evaluate, 1)}, dedup decision ${fmt(u.plan, 1)}`);
  }
  if (process.env.BENCH_CORE_PROFILE === '0') return;
  const profile = await profileCore(repoConfig, n, fps, 15);
  for (const f of profile.top) log(`  ${fmt(f.selfPercent, 1)} % ${f.frame}`);
}

interface AmRun {
  version: string;
  installed: boolean;
  accepted: number;
  acceptMs: number;
  notifications: number;
  groups: number;
  pageLatencies: number[];
}

async function runAlertmanager(storm: StormAlert[]): Promise<AmRun | { skipped: string }> {
  const bin = ensureAlertmanager(log);
  if (!bin.ok) return { skipped: bin.reason };
  const hook = await startWebhookReceiver('alertname');
  let am: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
  try {
    am = await startAlertmanager(bin.path, hook.url, 'alertname');
    const requests = batches(storm, STORM.batch).map((alerts) => ({ alerts, body: alertmanagerBody(alerts) }));
    const sent = await sendStorm(`${am.url}/api/v2/alerts`, requests, STORM.concurrency);
    const deadline = Date.now() + 60_000;
    while (hook.firstByLabel.size < STORM.fingerprints && Date.now() < deadline) await sleep(10);
    await sleep(1000); // late duplicates, if any, would show in the notification count
    const pageLatencies = [...sent.firstSent].map(([fp, t]) => {
      const at = hook.firstByLabel.get(alertname(fp));
      return at === undefined ? Number.POSITIVE_INFINITY : at - t;
    });
    return { version: bin.version, installed: bin.installed, accepted: sent.accepted, acceptMs: sent.elapsedMs, notifications: hook.notifications, groups: hook.firstByLabel.size, pageLatencies };
  } catch (err) {
    return { skipped: `Alertmanager could not be run: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await am?.stop();
    await hook.close();
  }
}

function ingestMeasure(run: LocalRun): IngestMeasure {
  const s = run.stats;
  const sqs = s.queue.sendBilledRequests + s.processor.receiveBilledRequests + s.processor.deleteCalls;
  const procMs = s.processor.durationsMs.reduce((a, b) => a + b, 0) / Math.max(1, s.processor.invocations);
  return {
    requestsPerAlert: run.requests / run.alerts,
    apiUnitsPerAlert: run.requests / run.alerts, // every body here is < 512 KB: one metered request each
    ingestMs: Math.max(25, run.requestLatencyP50),
    sqsRequestsPerAlert: sqs / run.alerts,
    processorInvocationsPerAlert: s.processor.invocations / run.alerts,
    processorMsPerInvocation: procMs,
    wruPerAlert: s.capacity.writeUnits / run.alerts,
    rruPerAlert: s.capacity.readUnits / run.alerts,
    s3PutsPerAlert: run.archivePuts / run.alerts,
    logs: {
      handlerLinesPerAlert: run.logLines.lines / run.alerts,
      handlerBytesPerAlert: run.logLines.awsBytes / run.alerts,
      emfBytesPerIngest: emfBytes(acceptedMetrics('alertmanager', 1)),
      emfBytesPerProcessor: emfBytes(processMetrics([{ outcome: 'joined' }, { outcome: 'opened' }] as AlertOutcome[])),
      platformBytesPerInvocation: platformBytesPerInvocation(FUNCTION_LOGGING.systemLogLevel),
      accessLogBytesPerRequest: accessLogLineBytes(ACCESS_LOG_FORMAT.toString()),
    },
  };
}

/**
 * CloudWatch Logs bytes per incident of an escalation path: each task invocation's platform lines and the EMF lines
 * of a page (Pages, TimeToPage, NotificationsSent per channel), and per acknowledgement the access log line and the
 * API function's platform lines.
 */
function escalationLogBytes(taskInvocations: number, apiRequests: number): number {
  const page = emfBytes([
    { name: 'Pages', value: 1, unit: 'Count' },
    { name: 'TimeToPage', value: 1234, unit: 'Milliseconds' },
    { name: 'NotificationsSent', value: 1, unit: 'Count', dimension: { name: 'channel', value: 'oncall-hook' } },
  ]);
  const platform = platformBytesPerInvocation(FUNCTION_LOGGING.systemLogLevel);
  const ack = accessLogLineBytes(ACCESS_LOG_FORMAT.toString(), { routeKey: 'POST /api/incidents/{id}/acknowledge', 'identity.userAgent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15' });
  return taskInvocations * (platform + page) + apiRequests * (ack + platform);
}

/** Workloads of the cost model (the mix in batches and one alert per request) and the four scenarios A-D. */
function costScenarios(mix: LocalRun, single: LocalRun, pageOnce: EscalationResult, acked: EscalationResult): Array<{ name: string; cost: CostBreakdown }> {
  const inlineEsc: EscalationMeasure = { transitions: 0, taskInvocations: 1, notifications: pageOnce.notificationsPerIncident, apiRequests: 0, extraWru: 0, extraRru: 0, logBytes: escalationLogBytes(1, 0) };
  const ackedEsc: EscalationMeasure = {
    transitions: acked.transitionsPerIncident,
    taskInvocations: acked.pagesPerIncident,
    notifications: acked.notificationsPerIncident,
    apiRequests: 1,
    extraWru: Math.max(0, acked.writeUnitsPerIncident - pageOnce.writeUnitsPerIncident),
    extraRru: Math.max(0, acked.readUnitsPerIncident - pageOnce.readUnitsPerIncident),
    logBytes: escalationLogBytes(acked.pagesPerIncident, 1),
  };
  const mixIngest = ingestMeasure(mix);
  const singleIngest = ingestMeasure(single);
  return [
    { name: `A: batches of ${MIX.batch}, paged inline`, cost: costPerMillion(mixIngest, inlineEsc, INCIDENT_RATE) },
    { name: `B: batches of ${MIX.batch}, 2 levels acked at 1`, cost: costPerMillion(mixIngest, ackedEsc, INCIDENT_RATE) },
    { name: 'C: 1 alert/request, paged inline', cost: costPerMillion(singleIngest, inlineEsc, INCIDENT_RATE) },
    { name: 'D: 1 alert/request, 2 levels acked at 1', cost: costPerMillion(singleIngest, ackedEsc, INCIDENT_RATE) },
  ];
}

/** The cost table (line items × scenarios) and the quantities of scenarios A and D. */
function costTables(scenarios: Array<{ name: string; cost: CostBreakdown }>): { costTable: string; quantityTable: string } {
  const itemNames = scenarios[1]!.cost.lines.map((l) => l.item);
  const costTable = table(
    ['Line item (per 1 M alerts, 5 % open an incident, arm64)', ...scenarios.map((s) => s.name)],
    [
      ...itemNames.map((item) => [item, ...scenarios.map((s) => {
        const l = s.cost.lines.find((x) => x.item === item);
        return l ? money(l.dollars) : '—';
      })]),
      ['**(a) ingest path**', ...scenarios.map((s) => `**${money(s.cost.ingest)}**`)],
      ['**(b) escalation**', ...scenarios.map((s) => `**${money(s.cost.escalation)}**`)],
      ['**Total**', ...scenarios.map((s) => `**${money(s.cost.total)}**`)],
      ['Total without the raw archive’s PUTs (see the notes)', ...scenarios.map((s) => money(s.cost.total - (s.cost.lines.find((l) => l.item.startsWith('S3 raw archive'))?.dollars ?? 0)))],
      ['vs the $4 target', ...scenarios.map((s) => verdict(s.cost.total <= TARGETS.dollarsPerMillion))],
      ['vs the straightforward design ($12.54)', ...scenarios.map((s) => `${fmt((100 * s.cost.total) / TARGETS.straightforward)} %`)],
    ],
  );
  const quantityTable = table(
    ['Line item', `Quantity, scenario A`, 'Quantity, scenario D'],
    itemNames.map((item) => [item, scenarios[0]!.cost.lines.find((l) => l.item === item)?.quantity ?? '—', scenarios[3]!.cost.lines.find((l) => l.item === item)?.quantity ?? '—']),
  );
  return { costTable, quantityTable };
}

/** BENCH_ONLY=cost: the cost workloads alone (the mix, one alert per request, two escalation paths), no report. */
async function costOnly(): Promise<void> {
  const mix = await runLocal(buildStorm(MIX.alerts, MIX.fingerprints, 13, 'mix'), MIX.batch, 1, 'INFO');
  const single = await runLocal(buildStorm(SINGLE.alerts, SINGLE.fingerprints, 17, 'single'), 1, 1, 'INFO');
  const pageOnce = await measureEscalation('one level, no repeat (paged inline)', 'page-once', false);
  const acked = await measureEscalation('two levels, acknowledged at level 1', 'two-levels', true);
  for (const [name, r] of [['mix', mix], ['one alert per request', single]] as const) {
    log(`${name}: ${fmt(r.stats.capacity.writeUnits / r.alerts, 2)} WRU/alert, ${fmt(r.stats.capacity.readUnits / r.alerts, 2)} RRU/alert, ${fmt(r.logLines.lines / r.alerts, 2)} log lines/alert, ${fmt(r.logBytes / r.alerts)} local log bytes/alert (${fmt(r.logLines.awsBytes / r.alerts)} as stored in AWS), ${fmt(r.stats.processor.invocations / r.alerts, 3)} processor invocations/alert`);
    const perAlert = (x: number) => fmt(x / r.alerts, 3);
    log(`  DynamoDB calls/alert: ${Object.entries(r.stats.capacity.calls).map(([k, v]) => `${k} ${perAlert(v)}`).join(', ')}; by scope: ${Object.entries(r.stats.capacity.byScope).map(([k, v]) => `${k} ${perAlert(v.calls)} calls, ${perAlert(v.readUnits)} RRU, ${perAlert(v.writeUnits)} WRU`).join('; ')}`);
  }
  const { costTable, quantityTable } = costTables(costScenarios(mix, single, pageOnce, acked));
  log(`\n${costTable}\n\n${quantityTable}`);
}


// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${fmt(a / b, 2)}×` : 'n/a');
const money = (d: number) => `$${d < 0.01 && d > 0 ? d.toFixed(4) : d.toFixed(3)}`;
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');

function gitRevision(): string {
  try {
    const rev = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- lambdas lib bench', { cwd: ROOT, encoding: 'utf8' }).trim() ? ' (with uncommitted changes)' : '';
    return `${rev}${dirty}`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const when = new Date().toISOString();
  const machine = `${cpus().length} vCPU (${cpus()[0]?.model.trim() ?? 'unknown'}), ${fmt(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  log(`bench: ${machine}${QUICK ? ' — QUICK run, figures not comparable' : ''}`);

  if (ONLY_STORM) {
    await stormOnly();
    return;
  }
  if (ONLY_COST) {
    await costOnly();
    return;
  }
  if (ONLY_BUNDLES) {
    await bundlesOnly();
    return;
  }
  if (ONLY_CORE) {
    await coreOnly();
    return;
  }

  section('core pipeline throughput (one process, no I/O)');
  const coreBench = coreThroughput(benchConfig(), QUICK ? 4_000 : 20_000, QUICK ? 40 : 200, QUICK ? 2 : 5);
  const repoConfig = loadPipelineConfig(join(ROOT, 'config', 'pipeline.yaml'));
  const coreRepo = coreThroughput(repoConfig, QUICK ? 4_000 : 20_000, QUICK ? 40 : 200, QUICK ? 2 : 5);
  for (const [name, c] of [['bench config', coreBench], ['config/pipeline.yaml', coreRepo]] as Array<[string, CoreResult]>) {
    log(`${name}: ${fmt(c.alertsPerSecond)} alerts/s (${fmt(c.usPerAlert.total, 1)} µs/alert)`);
  }
  const coreProfile = await profileCore(repoConfig, QUICK ? 4_000 : 20_000, QUICK ? 40 : 200);
  for (const f of coreProfile.top.slice(0, 5)) log(`  ${fmt(f.selfPercent, 1)} % ${f.frame}`);

  section('CloudWatch alarm enrichment: API calls per alert (one processor instance, cached per alarm ARN)');
  log(alarmEnrichmentLine(await measureAlarmEnrichment(repoConfig, QUICK ? 2_000 : 10_000, 50)));

  section(`insights: analytics and export over ${fmt(INSIGHTS_INCIDENTS)} incidents`);
  const insights = await measureInsights(repoConfig, INSIGHTS_INCIDENTS);
  log(insightsLine(insights));
  const dashboard = await measureDashboard(repoConfig, INSIGHTS_INCIDENTS);
  log(dashboardLine(dashboard));

  section(`storm: ${fmt(STORM.alerts)} alerts over ${STORM.fingerprints} fingerprints, batches of ${STORM.batch}, ${STORM.concurrency} in flight`);
  const storm = buildStorm(STORM.alerts, STORM.fingerprints);
  const local = await runLocal(storm, STORM.batch, STORM.concurrency, 'WARN', true);
  const localRate = (local.accepted / local.acceptMs) * 1000;
  log(`local runtime: ${fmt(localRate)} accepted alerts/s; page p50 ${fmtMs(percentile(local.pageLatencies, 50))}, p99 ${fmtMs(percentile(local.pageLatencies, 99))}; ${local.pages} pages; drained in ${fmtMs(local.drainMs)}`);
  const am = await runAlertmanager(storm);
  if ('skipped' in am) log(`Alertmanager: skipped (${am.skipped})`);
  else log(`Alertmanager ${am.version}: ${fmt((am.accepted / am.acceptMs) * 1000)} accepted alerts/s; page p50 ${fmtMs(percentile(am.pageLatencies, 50))}, p99 ${fmtMs(percentile(am.pageLatencies, 99))}; ${am.notifications} notifications`);

  section('DynamoDB units per alert: unique alerts, 5 % incident mix (batches of 100 and one alert per request)');
  const unique = await runLocal(buildStorm(UNIQUE.alerts, UNIQUE.alerts, 11, 'unique'), UNIQUE.batch, 4);
  log(`unique: ${fmt(unique.stats.capacity.writeUnits / unique.alerts, 2)} WRU/alert, ${fmt(unique.stats.capacity.readUnits / unique.alerts, 2)} RRU/alert`);
  const mix = await runLocal(buildStorm(MIX.alerts, MIX.fingerprints, 13, 'mix'), MIX.batch, 1, 'INFO');
  log(`mix (batches of ${MIX.batch}): ${fmt(mix.stats.capacity.writeUnits / mix.alerts, 2)} WRU/alert, ${fmt(mix.stats.capacity.readUnits / mix.alerts, 2)} RRU/alert, ${fmt(mix.logBytes / mix.alerts)} log bytes/alert`);
  const single = await runLocal(buildStorm(SINGLE.alerts, SINGLE.fingerprints, 17, 'single'), 1, 1, 'INFO');
  log(`mix (one alert per request): ${fmt(single.stats.capacity.writeUnits / single.alerts, 2)} WRU/alert, ${fmt(single.stats.capacity.readUnits / single.alerts, 2)} RRU/alert`);

  section('escalation paths: transitions, notifications, DynamoDB units per incident');
  const escalation: EscalationResult[] = [];
  escalation.push(await measureEscalation('one level, no repeat (paged inline)', 'page-once', false));
  escalation.push(await measureEscalation('two levels, acknowledged at level 1', 'two-levels', true));
  escalation.push(await measureEscalation('two levels, nobody acknowledges', 'two-levels', false));
  escalation.push(await measureEscalation('two levels × 2 rounds, nobody acknowledges', 'two-levels-repeat', false));
  for (const e of escalation) log(`${e.label}: ${fmt(e.transitionsPerIncident, 1)} transitions, ${fmt(e.notificationsPerIncident, 1)} notifications per incident`);

  section('status page freshness: sev1 alert posted -> status.json shows major_outage (local runtime)');
  const freshness = await measureFreshness(QUICK ? 5 : 20);
  log(`status page: median ${fmtMs(freshness.medianMs)}, p95 ${fmtMs(freshness.p95Ms)} over ${freshness.runs} runs; dependent degraded: median ${fmtMs(freshness.dependentMedianMs)}`);

  section('Lambda bundles (esbuild as lib/constructs/defaults.ts) and import time');
  const nodeMs = nodeStartMs(QUICK ? 3 : 7);
  const bundleRuns = QUICK ? 3 : 7;
  const bundles: BundleResult[] = await measureBundles(repoConfig, { runs: bundleRuns });
  for (const b of bundles) log(`${b.name}: ${fmtBytes(b.bytes)} (${fmtBytes(b.gzipBytes)} gzip), import ${fmtMs(b.importMs)}`);
  const bundlesSdkExternal: BundleResult[] = await measureBundles(repoConfig, { runs: bundleRuns, sdk: 'external' });
  for (const b of bundlesSdkExternal) log(`${b.name} (SDK external): ${fmtBytes(b.bytes)} (${fmtBytes(b.gzipBytes)} gzip), import ${fmtMs(b.importMs)}`);

  // -------------------------------------------------------------------------------------------------------------
  // Cost
  // -------------------------------------------------------------------------------------------------------------
  const pageOnce = escalation[0]!;
  const acked = escalation[1]!;
  const scenarios = costScenarios(mix, single, pageOnce, acked);

  // -------------------------------------------------------------------------------------------------------------
  // Report
  // -------------------------------------------------------------------------------------------------------------
  const amOk = !('skipped' in am);
  const amRate = amOk ? (am.accepted / am.acceptMs) * 1000 : Number.NaN;
  const amP50 = amOk ? percentile(am.pageLatencies, 50) : Number.NaN;
  const amP99 = amOk ? percentile(am.pageLatencies, 99) : Number.NaN;
  const localP50 = percentile(local.pageLatencies, 50);
  const localP99 = percentile(local.pageLatencies, 99);
  const stormWru = local.stats.capacity.writeUnits / local.alerts;
  const stormRru = local.stats.capacity.readUnits / local.alerts;
  const kinds = Object.entries(local.stats.capacity.writeUnitsByKind).sort((a, b) => b[1] - a[1]);
  const kindsTotal = kinds.reduce((a, [, v]) => a + v, 0);

  const storTable = table(
    ['Storm', 'Local runtime', amOk ? `Alertmanager ${am.version}` : 'Alertmanager', 'Ratio (local / Alertmanager)'],
    [
      ['accepted alerts/s', fmt(localRate), amOk ? fmt(amRate) : 'skipped', ratio(localRate, amRate)],
      ['first arrival → page, p50', fmtMs(localP50), amOk ? fmtMs(amP50) : 'skipped', ratio(localP50, amP50)],
      ['first arrival → page, p99', fmtMs(localP99), amOk ? fmtMs(amP99) : 'skipped', ratio(localP99, amP99)],
      ['pages / notifications (must be ' + STORM.fingerprints + ')', `${local.pages} (${local.incidents} incidents)`, amOk ? `${am.notifications} (${am.groups} groups)` : 'skipped', ''],
      ['all alerts processed after', fmtMs(local.drainMs), amOk ? 'n/a (in memory)' : 'skipped', ''],
    ],
  );

  const callsPerNewIncident = Object.values(unique.stats.capacity.calls).reduce((a, b) => a + b, 0) / unique.alerts;
  const openScope = unique.stats.capacity.byScope.processor ?? { calls: 0, writeUnits: 0, readUnits: 0 };
  const OPEN_CALLS = openScope.calls / unique.alerts;
  const OPEN_WRU = openScope.writeUnits / unique.alerts;
  const markerScope = unique.stats.capacity.byScope.marker ?? { calls: 0, writeUnits: 0, readUnits: 0 };
  const MARKER_CALLS = markerScope.calls / unique.alerts;
  const MARKER_WRU = markerScope.writeUnits / unique.alerts;
  // Modelled time to page in AWS (bench/lib/aws-model.ts), for the sample config's batching and the alternative.
  const importOf = (name: string) => bundles.find((b) => b.name === name)?.importMs ?? 0;
  const importMs = { ingest: importOf('ingest-http'), processor: importOf('process-alerts'), page: importOf('escalation-step') };
  const { batchSize, batchWindowSeconds } = repoConfig.processing;
  const chosen = `batch ${batchSize}, window ${batchWindowSeconds} s (config/pipeline.yaml)`;
  const models: Array<{ label: string; m: ModelResult }> = [
    { label: 'batch 100, window 1 s (the default before), warm', m: modelTimeToPage({ batchWindowSeconds: 1, openCalls: OPEN_CALLS, importMs, coldShare: 0.001 }) },
    { label: `${chosen}, warm`, m: modelTimeToPage({ batchWindowSeconds, openCalls: OPEN_CALLS, importMs, coldShare: 0.001 }) },
    { label: `${chosen}, 2 % cold starts`, m: modelTimeToPage({ batchWindowSeconds, openCalls: OPEN_CALLS, importMs, coldShare: 0.02 }) },
    { label: `${chosen}, after a quiet hour (every function cold)`, m: modelTimeToPage({ batchWindowSeconds, openCalls: OPEN_CALLS, importMs, coldShare: 1 }) },
  ];
  const modelTable = table(
    ['Paging path in AWS (one new alert)', 'p50', 'p99', 'ingest', 'queue', 'processor', 'page (to the channel’s answer)'],
    models.map(({ label, m }) => [label, fmtMs(m.p50), fmtMs(m.p99), fmtMs(m.byStage.ingest), fmtMs(m.byStage.queue), fmtMs(m.byStage.processor), fmtMs(m.byStage.page)]),
  );
  const latencyTable = table(
    ['Call', 'p50', 'p99', 'Source'],
    Object.entries(LATENCIES).map(([k, l]) => [k, `${l.p50} ms`, `${l.p99} ms`, l.source]),
  );
  const st = local.stages;
  const stageRow = (name: string, what: string, v: number[]) => [name, what, fmtMs(percentile(v, 50)), fmtMs(percentile(v, 99))];
  const stagesTable = st ? table(
    ['Stage of the first alert of a fingerprint', 'Ends when', 'p50', 'p99'],
    [
      stageRow('ingest', 'the ingest received the opening alert (HTTP, enqueue of the requests ahead)', st.ingest),
      stageRow('queue + batch', 'the processor planned the incident (queue, batching window, the batch’s earlier groups)', st.queue),
      stageRow('open + page', 'the page is in the outbox (head write, escalation start, the page’s reads and writes)', st.page),
    ],
  ) : '';
  const unitsTable = table(
    ['Workload', 'Alerts', 'Incidents', 'WRU / alert', 'RRU / alert', 'DynamoDB calls / alert'],
    [
      ['unique alerts (1 per fingerprint), batches of 100', fmt(unique.alerts), fmt(unique.incidents), fmt(unique.stats.capacity.writeUnits / unique.alerts, 2), fmt(unique.stats.capacity.readUnits / unique.alerts, 2), fmt(Object.values(unique.stats.capacity.calls).reduce((a, b) => a + b, 0) / unique.alerts, 2)],
      [`storm (${STORM.alerts / STORM.fingerprints} per fingerprint), batches of 100`, fmt(local.alerts), fmt(local.incidents), fmt(stormWru, 2), fmt(stormRru, 3), fmt(Object.values(local.stats.capacity.calls).reduce((a, b) => a + b, 0) / local.alerts, 3)],
      [`5 % incident mix (${MIX.alerts / MIX.fingerprints} per fingerprint), batches of 100`, fmt(mix.alerts), fmt(mix.incidents), fmt(mix.stats.capacity.writeUnits / mix.alerts, 2), fmt(mix.stats.capacity.readUnits / mix.alerts, 2), fmt(Object.values(mix.stats.capacity.calls).reduce((a, b) => a + b, 0) / mix.alerts, 2)],
      [`5 % incident mix, one alert per request`, fmt(single.alerts), fmt(single.incidents), fmt(single.stats.capacity.writeUnits / single.alerts, 2), fmt(single.stats.capacity.readUnits / single.alerts, 2), fmt(Object.values(single.stats.capacity.calls).reduce((a, b) => a + b, 0) / single.alerts, 2)],
    ],
  );
  const kindTable = table(
    ['Item written in the storm', 'Share of write units (estimated per item)'],
    kinds.map(([k, v]) => [k, `${fmt((100 * v) / Math.max(1, kindsTotal))} %`]),
  );

  const escTable = table(
    ['Escalation path', 'State transitions / incident', 'Executions', 'Pages / incident', 'Notifications / incident', 'WRU / incident', 'RRU / incident'],
    escalation.map((e) => [e.label, fmt(e.transitionsPerIncident, 1), `${e.executions} of ${e.incidents}`, fmt(e.pagesPerIncident, 1), fmt(e.notificationsPerIncident, 1), fmt(e.writeUnitsPerIncident, 1), fmt(e.readUnitsPerIncident, 1)]),
  );

  const { costTable, quantityTable } = costTables(scenarios);

  const coreTable = table(
    ['Config', 'Alerts/s', 'µs/alert', 'normalize', 'fingerprint + rules + route', 'dedup decision'],
    ([['bench config (no rules)', coreBench], ['config/pipeline.yaml (its rules)', coreRepo]] as Array<[string, CoreResult]>).map(([name, c]) => [
      name, fmt(c.alertsPerSecond), fmt(c.usPerAlert.total, 1), fmt(c.usPerAlert.normalize, 1), fmt(c.usPerAlert.evaluate, 1), fmt(c.usPerAlert.plan, 1),
    ]),
  );

  const profileTable = table(['Function (self time)', 'Share of samples'], coreProfile.top.map((f) => [`\`${f.frame}\``, `${fmt(f.selfPercent, 1)} %`]));

  const bundleTable = table(
    ['Function', 'Minified', 'gzip', `Import (median of ${bundleRuns}, fresh process)`],
    bundles.map((b) => [b.name, fmtBytes(b.bytes), fmtBytes(b.gzipBytes), fmtMs(b.importMs)]),
  );

  const best = scenarios.reduce((a, b) => (a.cost.total <= b.cost.total ? a : b));
  const targetsTable = table(
    ['Target', 'Measured', 'Verdict'],
    [
      ['accepted alerts/s ≥ Alertmanager’s (same storm, same run)', amOk ? `${fmt(localRate)} vs ${fmt(amRate)} (${ratio(localRate, amRate)})` : `${fmt(localRate)}; Alertmanager skipped`, amOk ? verdict(localRate >= amRate) : 'not measured'],
      ['p99 first arrival → page ≤ Alertmanager’s', amOk ? `${fmtMs(localP99)} vs ${fmtMs(amP99)} (${ratio(localP99, amP99)})` : `${fmtMs(localP99)}; Alertmanager skipped`, amOk ? verdict(localP99 <= amP99) : 'not measured'],
      ['pages sent = fingerprints', `${local.pages} of ${STORM.fingerprints}`, verdict(local.pages === STORM.fingerprints)],
      ['peak resident memory of the local runtime in the storm ≤ 300 MB', `${fmt(local.stats.maxRssBytes / 1024 ** 2)} MB (${fmt(local.stats.startupRssBytes / 1024 ** 2)} MB of it at start-up)`, verdict(local.stats.maxRssBytes <= 300 * 1024 ** 2)],
      ['≤ 3 DynamoDB calls to open a new incident (the processor’s; the page and the per-message delivery marker apart)', `${fmt(OPEN_CALLS, 2)} (+ ${fmt(Math.max(0, callsPerNewIncident - OPEN_CALLS - MARKER_CALLS), 2)} for the page, ${fmt(MARKER_CALLS, 2)} for markers)`, verdict(OPEN_CALLS <= 3)],
      ['≤ 4 write units to open a new incident (index entries included)', `${fmt(OPEN_WRU, 2)} (+ ${fmt(Math.max(0, unique.stats.capacity.writeUnits / unique.alerts - OPEN_WRU - MARKER_WRU), 2)} for the page)`, verdict(OPEN_WRU <= 4)],
      ['≤ 0.2 DynamoDB write units per alert in the storm', fmt(stormWru, 2), verdict(stormWru <= TARGETS.wruPerAlertStorm)],
      ['≤ 4 state transitions for an incident acknowledged at level 1', fmt(acked.transitionsPerIncident, 1), verdict(acked.transitionsPerIncident <= TARGETS.transitionsAckedAtLevel1)],
      ((r) => [r[0], r[1], verdict(r[2])])(bundleTargetRow(bundles)),
      ['≤ $4 per million alerts at 5 % incidents', scenarios.map((s) => `${s.name.split(':')[0]} ${money(s.cost.total)}`).join(', '), `${verdict(best.cost.total <= TARGETS.dollarsPerMillion)} for ${scenarios.filter((s) => s.cost.total <= TARGETS.dollarsPerMillion).map((s) => s.name.split(':')[0]).join(', ') || 'none'}`],
    ],
  );

  const s = local.stats;
  const procMs = s.processor.durationsMs;
  const report = `# Performance and cost

Generated by \`npm run bench\` (bench/run.ts) on ${when}; do not edit by hand, run it again.
Machine: ${machine}. Commit ${gitRevision()}. Whole run: ${fmtMs(Date.now() - started)}.${QUICK ? '\n\n**QUICK run (BENCH_QUICK=1): smaller workloads, figures not comparable.**' : ''}
What the figures mean, why some targets are missed and what would close them: the notes at the end.

## Targets

${targetsTable}

## Storm: local runtime vs Prometheus Alertmanager, same machine, same run

${fmt(STORM.alerts)} alerts over ${STORM.fingerprints} fingerprints (${fmt(STORM.alerts / STORM.fingerprints)} each, distinct start times, seeded shuffle), sent over HTTP
on loopback in ${fmt(STORM.alerts / STORM.batch)} requests of ${STORM.batch} alerts, ${STORM.concurrency} in flight, by the same client code to both:

- **local runtime**: \`POST /ingest/alertmanager/{token}\` (Alertmanager webhook v4 bodies), the runtime in its own
  Node.js process with the embedded DynamoDB in memory, config with one escalation level and no repeat (paged inline,
  no state machine); a page is the first local outbox entry of the fingerprint's incident.
- **Alertmanager**: ${amOk ? `${am.version} (Debian's \`prometheus-alertmanager\`${am.installed ? ', installed by this run' : ''})` : 'skipped: ' + am.skipped}, \`POST /api/v2/alerts\` (arrays),
  \`group_by: [alertname]\` (one group per fingerprint), \`group_wait: 0s\`, \`group_interval: 1h\`, \`repeat_interval: 24h\`,
  clustering off, one webhook receiver served by the benchmark; a page is the first webhook notification of the group.

Time to page = from sending the first request that carries a fingerprint to its page (client and both servers on
one clock).

${storTable}

Where the first alert of each fingerprint waits (from the times the pipeline records: \`firstAlert.receivedAt\`,
\`openedAt\`, the outbox entry; one clock):

${stagesTable}

Local runtime internals during the storm: ${s.processor.invocations} processor batches (${procMs.map((m, i) => `${fmtMs(m)} for ${s.processor.recordsPerBatch[i]} messages`).join(', ')}),
${fmt(s.queue.messages)} queue messages of ${fmtBytes(s.queue.messageBytes / Math.max(1, s.queue.messages))} on average (${fmt(s.queue.messageBytes / STORM.alerts)} bytes per alert: normalized alert + raw),
${s.processor.failedRecords} failed records, ${s.deadLetters} dead letters; peak resident memory of the runtime's process
${fmt(s.maxRssBytes / 1024 ** 2)} MB (target ≤ 300 MB: ${verdict(s.maxRssBytes <= 300 * 1024 ** 2)}), of which ${fmt(s.startupRssBytes / 1024 ** 2)} MB at start-up (Node.js, tsx, every handler's
modules, the embedded DynamoDB; the state machine is synthesized in a child process or read from its cache) and the
rest the storm's. V8 favours a small heap in that process as in \`npm start\` (\`--optimize-for-size\`,
lambdas/local/favor-memory.ts; \`BENCH_FAVOR_MEMORY=0\` runs V8's defaults, which peaked at 347–377 MB when measured,
mostly garbage not yet collected). Sampled every 100 ms, the JS heap peaked at ${fmt(s.memoryPeak.heapUsed / 1024 ** 2)} MB used of ${fmt(s.memoryPeak.heapTotal / 1024 ** 2)} MB, buffers outside it at
${fmt(s.memoryPeak.external / 1024 ** 2)} MB. The processor ran ${process.env.BENCH_PROCESSOR_THREAD === '0' ? 'on the runtime\'s one thread (BENCH_PROCESSOR_THREAD=0)' : 'on its own worker thread, as `npm start` runs it (BENCH_PROCESSOR_THREAD=0: on the one thread)'}.

## Modelled time to page in AWS

The path from an ingest request to the page, call by call as the code makes it (the processor's calls to open an
incident as counted in the unique-alert run: ${fmt(OPEN_CALLS, 2)}), priced with the latencies below
(bench/lib/aws-model.ts). p50 = the sum of the medians; p99 = that plus the independent tails (√Σ(p99 − p50)²) plus the
slowest cold start of the path when over 1 % of the path's invocations start cold. A cold start = the Node.js 24
runtime start (${RUNTIME_INIT_MS} ms) + the bundle's import time measured below (ingest ${fmtMs(importMs.ingest)}, processor ${fmtMs(importMs.processor)},
page ${fmtMs(importMs.page)}; on this machine's full core, a small Lambda has less CPU). A model, not a measurement.

${modelTable}

${latencyTable}

## Core pipeline throughput (one process, no I/O)

Alertmanager webhook bodies of 100 alerts: JSON parse + normalize, then per alert fingerprint, rules (CEL) and
route, then the dedup decision per fingerprint group (\`planIncidentChanges\` against the state earlier batches left).
${fmt(coreBench.alerts)} alerts over ${coreBench.fingerprints} fingerprints; median of ${coreBench.runs} runs after a warm-up.

${coreTable}

Where the time goes: a CPU profile of the config/pipeline.yaml workload (V8's sampling profiler through
\`node:inspector\` at 100 µs, the same as \`node --cpu-prof\`; \`profileCore\` in bench/lib/core.ts; building the
workload is not profiled), ${fmt(coreProfile.samples)} samples over ${fmtMs(coreProfile.sampledMs)}, the functions with the most self time.
\`(garbage collector)\` is V8's GC; time in built-ins (\`JSON.parse\`, hashing) counts toward the function that calls them
(the bench's own loop parses the bodies).

${profileTable}

Done after earlier profiles: the planner copies the incident field by field into one object literal (a spread's
inline cache turned megamorphic over the incidents' several hidden classes: ~3 µs per copy), and shares the
idempotency ring's read-only entries instead of copying each; it looks applied messages up in the rings instead of
building a set per group; an Alertmanager alert that is plain JSON is checked without running the zod alert schema
(the schema still validates anything else and names the field); a fingerprint is hashed once per key (a bounded map
of recent keys) with \`crypto.hash\`; \`toIsoUtc\` returns a time already in canonical UTC form without a \`Date\`
round trip; the CEL values of an alert are built once for all its rule stages. The bench's own loop is mostly
\`JSON.parse\` of the bodies, which the ingest function pays too. What is left is spread thin: the planner, CEL, the
normalizer's alert objects, SHA-256 of message keys (over the sorted delivery keys of each body).
\`BENCH_ONLY=core npm run bench\` runs this section alone (and prints alerts per CPU second, steadier than wall time
on a shared machine).

${insightsSection(insights)}
${dashboardSection(dashboard)}
## DynamoDB request units per alert

Counted from the SDK calls the stores make (ConsumedCapacity with \`ReturnConsumedCapacity: TOTAL\` on every call, by
a middleware on the client: bench/lib/dynamodb-capacity.ts), plus what the embedded DynamoDB does not report:
global secondary index writes (keys-only projections, 1 unit per index entry written or deleted) and failed
conditional writes (they consume write units). Everything the local runtime writes is counted, including the inline
page (rate-cap counter, timeline, escalation step) and delivery markers.

${unitsTable}

Where the storm's write units go:

${kindTable}

## Escalation: state transitions and notifications per incident

The synthesized Step Functions definition run locally (aws-local-stepfunctions), waits scaled down; ${escalation[0]!.incidents} incidents
per path, one alert each; acknowledgements through \`POST /api/incidents/{id}/acknowledge\` right after the level-1 page.
Each level targets one webhook channel (one notification per page).

${escTable}

## Status page freshness

From \`POST /ingest/events/v2\` of a sev1 (\`critical\`) alert for \`database\` to \`GET /status.json\` showing it
\`major_outage\` on the local runtime (embedded DynamoDB in memory, polled every 2 ms): the processing of that alert plus
one render by the status-render handler, which the runtime runs after every processed batch. ${freshness.runs} runs, each
from an operational page (the incident is resolved and the page back to operational before the next run).

${table(['Measure', 'Median', 'p95'], [
    ['alert -> `database` major_outage', fmtMs(freshness.medianMs), fmtMs(freshness.p95Ms)],
    ['alert -> dependent `checkout` degraded_performance too', fmtMs(freshness.dependentMedianMs), ''],
  ])}

In AWS the processor invokes the status-render function asynchronously after a batch that opened, acknowledged or
resolved an incident: the same path plus one Lambda event invoke and the S3 puts; CloudFront then serves the object
within its \`max-age\` (docs/status-page.md §Hosting in AWS).

## Cost per million alerts

Measured counts × the us-east-1 prices of [limits-and-prices.md](limits-and-prices.md) §2, laid out like its §3, at a 5 % incident rate
(1 alert in 20 opens an incident: ${fmt(MIX.alerts)} alerts over ${MIX.fingerprints} fingerprints in scenarios A and B, ${fmt(SINGLE.alerts)} over ${SINGLE.fingerprints} in C and D).
Assumptions: arm64; free tiers ignored; SQS requests as implemented (one SendMessageBatch of ≤ 10 messages per
request body, receives of ≤ 10 messages, one DeleteMessageBatch per 10 processed, each billed per 64 KB chunk; idle
long polling not included); ingest Lambda 256 MB × the larger of the measured median request latency and §3's
25 ms; processor Lambda 512 MB × the measured mean batch duration on the local runtime (dynalite is slower per call
than DynamoDB, so this overstates it); task Lambdas 256 MB × 50 ms; one SNS publish per notification (webhook
channels cost no SNS; email and SMS do); the raw archive's S3 PUTs as counted in the run (the objects the archive
holds afterwards: one per processor batch of the bodies its messages carry, one per delivery too large for one queue
message) at $0.005 per 1,000; CloudWatch Logs at $0.50 per GB as AWS would store them, each line with CloudWatch's 26 bytes of
per-event overhead (bench/lib/log-bill.ts): the handlers' lines as the runtime wrote them at INFO, re-sized to the
Lambda context fields Powertools adds in AWS (full function ARN and name, memory size, X-Ray trace id), the EMF lines
of each ingest and processor invocation (the real sink's output), Lambda's START/END/REPORT per invocation unless the
functions' system log level is WARN (\`FUNCTION_LOGGING\` in lib/constructs/defaults.ts: it is), and the API's access
log line per request (its format filled in with typical values), the task invocations and acknowledgements of the
escalation likewise; X-Ray at $5 per million traces for 5 % of the processor's, the tasks' and the API's invocations
(the default sampling rule's share beyond its reservoir of one trace a second, which costs ~$13 a month at any steady
load and is left out; the ingest functions trace in pass-through mode, and their callers send no sampled trace);
DynamoDB from the measured units (scenarios B and D add the difference in units per incident between the
two-level and the inline path).

${costTable}

Quantities:

${quantityTable}

The straightforward design of [limits-and-prices.md](limits-and-prices.md) §3 costs $12.54 (arm64, with an ingest Lambda and 1 WRU per alert,
8 transitions per incident).

${bundleSection(bundles, bundlesSdkExternal, nodeMs, bundleRuns)}

${notes({
    firstBatch: { ms: s.processor.durationsMs[0] ?? 0, messages: s.processor.recordsPerBatch[0] ?? 0 },
    laterBatches: { ms: s.processor.durationsMs.slice(1).reduce((a, b) => a + b, 0), messages: s.processor.recordsPerBatch.slice(1).reduce((a, b) => a + b, 0) },
    acceptMs: local.acceptMs,
    callsPerNewIncident,
    openCalls: OPEN_CALLS,
    openWru: OPEN_WRU,
    markerCalls: MARKER_CALLS,
    messageKb: s.queue.messageBytes / Math.max(1, s.queue.messages) / 1024,
    shares: Object.fromEntries(kinds.map(([k, v]) => [k, (100 * v) / Math.max(1, kindsTotal)])),
    transitionsAcked: acked.transitionsPerIncident,
    sfnDollarsAcked: scenarios[1]!.cost.lines.find((l) => l.item === 'Step Functions Standard')!.dollars,
    scenarioD: scenarios[3]!.cost,
  })}
`;

  writeFileSync(OUT, report);
  log(`\n${'='.repeat(100)}`);
  log(`\n## Targets\n\n${targetsTable}\n\n## Storm\n\n${storTable}\n\n## DynamoDB units\n\n${unitsTable}\n\n${kindTable}\n\n## Escalation\n\n${escTable}\n\n## Cost per million alerts\n\n${costTable}\n\n## Core\n\n${coreTable}\n\n## Bundles\n\n${bundleTable}`);
  log(`\nwritten to ${OUT} (${fmtMs(Date.now() - started)})`);
}

interface NoteFigures {
  firstBatch: { ms: number; messages: number };
  laterBatches: { ms: number; messages: number };
  acceptMs: number;
  callsPerNewIncident: number;
  /** The processor's calls and write units to open an incident (the page apart). */
  openCalls: number;
  openWru: number;
  /** Delivery-marker calls per new incident (per queue message: a read and a write shared by its alerts). */
  markerCalls: number;
  messageKb: number;
  shares: Record<string, number>;
  transitionsAcked: number;
  sfnDollarsAcked: number;
  scenarioD: CostBreakdown;
}

/** The notes of the report: why some targets are missed and what would close them (figures from this run). */
function notes(f: NoteFigures): string {
  const share = (k: string) => `${fmt(f.shares[k] ?? 0)} %`;
  const d = (prefix: string) => f.scenarioD.lines.filter((l) => l.item.startsWith(prefix)).reduce((a, l) => a + l.dollars, 0);
  const dLogs = d('CloudWatch Logs');
  const dS3 = d('S3 raw archive');
  return `## Notes: why some targets are missed and what would close them

**The storm, locally.** The local runtime is one Node.js process: the HTTP ingest, the queue journal, the raw
archive, the escalation runner and the DynamoDB emulator (dynalite, reached through the AWS SDK over loopback) share
its main thread; the processor and the inline pages have a thread of their own (below). The first processor batch took
${fmtMs(f.firstBatch.ms)} for ${f.firstBatch.messages} messages: it opened and paged the storm's new incidents while the ingest of the whole storm
(${fmtMs(f.acceptMs)}) ran; the later batches, which only add alerts to open incidents, took ${fmtMs(f.laterBatches.ms)} for ${f.laterBatches.messages} messages.
A CPU profile of the runtime during the storm (\`BENCH_CHILD_PROFILE=<dir> npm run bench\`, the main thread busy
from the first request to the last) put about 30 % of the main thread in dynalite, 13 % in garbage collection,
about 20 % in the AWS SDK and HTTP client of the inline pages (since moved to the processor's thread), and the rest in ingest (HTTP, JSON, the archive's
write-fsync-rename, the queue journal) and the page logic; the pipeline's own decisions are a small part (core
throughput above). Measured in an earlier session with the processor held back, ingest alone accepts
~10,000–17,000 alerts/s on this machine, so no change to the processing would reach Alertmanager, which ingests
into memory on every core.

**Time to page.** A page leaves once its incident is written: the batching window (200 ms locally), the processor's
reads and writes to open it, the inline page's round trip before the send. Cut in this order (each measured with
\`BENCH_ONLY=storm\`, which prints the DynamoDB calls per page, the batches and the runtime's CPU time):

- **The page: 4 calls, one round trip before the send** (it was 5, plus a re-read and a rewrite of the head for
  each conflict with the processor counting followers on it: 6.3–6.6 per page in the storm). The inline page carries
  the incident the processor has just written (no first read); the reservation under the channel's rate cap and
  the re-read right before the send go out together; the paged step is recorded apart from the head's version (a
  plain attribute merged into every read), so it never conflicts; the events stay one batch write, before the step
  (a kill between them pages again rather than leaving a page recorded without its events). In the storm: 4.01
  calls per page.
- **Opening: the batch reads and writes together.** The heads of a batch's fingerprints are read with one
  consistent BatchGetItem of first heads per 100 fingerprints the processor has not seen a head of (a fingerprint
  without \`H#00000001\` has none; 200 queries became 2 calls), and the alert-log entries of every group that opens
  an incident are written in batches of 25 before any of their heads (200 batch writes became 8). The unique-alert
  run counts ${fmt(f.openCalls, 2)} processor calls per new incident (3.00 before).
- **Order.** The groups that open an incident are written and their escalations started first, 64 at once, before
  any group that only counts (16 at once): the first batch's incidents are planned within ~1–1.7 s of their first
  alert, where they waited 3.5–10 s behind the batch's reads.
- **Pages render only what they send** (a webhook page rendered every channel type's card).
- **The inline page runs on the processor's thread** when the runtime has one (as the Page function runs apart from
  ingest in AWS): its SDK calls (about a fifth of the main thread in the profile) leave the thread that ingests. One
  pair at a load of 14–15: p50 10.5 vs 17.8 s, p99 14.9 vs 38.0 s, 2,514 vs 1,979 accepted alerts/s.

Measured on this 2-vCPU machine shared with three other engineers (storm only, load average 9–12, so the wall-clock
figures carry wide noise; the call counts do not). Before the changes, two runs: DynamoDB calls 3,414 / 3,584,
runtime CPU 21.2 / 24.6 s, accepted alerts/s 1,657 / 1,204, first arrival → page p50 18.4 / 21.1 s, p99 29.5 / 29.6 s
(at a load of 1: p50 10.4 s, p99 13.1 s, 2,512 alerts/s). With everything but the page's thread: 2,723 / 2,444 calls,
15.6 / 18.0 s CPU, 1,988 / 3,120 alerts/s, p50 12.3 / 11.6 s, p99 19.4 / 24.2 s. With the page on the processor's
thread too: 3,031 / 3,145 alerts/s, p50 10.3 / 9.5 s, p99 14.5 / 13.8 s. What is left is the main thread: dynalite's
answers to both threads take turns with ingest. The emulator on a worker thread of its own (the runtime's
\`dynamoThread\`, \`BENCH_DYNAMO_THREAD=1\`; in AWS DynamoDB is not on the ingest function's CPU either) cut time to
page while the pages still ran on the main thread (p99 11.8 / 6.8 s, but 1,206 / 1,828 alerts/s), and with the pages
on the processor's thread it no longer clearly does (p50 11.2 / 7.0 s, p99 15.1 / 9.0 s, 2,141 / 2,955 alerts/s): a
third busy thread on two shared cores takes CPU from ingest. It stays off by default (\`npm start\` and this bench)
until it is measured on a machine with a free core. Tried and measured in earlier sessions: 64 fingerprint groups in parallel
for every group (no gain while the processor shared the ingest thread); group commit of the queue journal (within
noise). The processor on its own worker thread, as ingest and processing are separate functions in AWS, is how
\`npm start\` and this bench run (the runtime's \`processorThread\`; \`BENCH_PROCESSOR_THREAD=0\` runs one thread): each
batch goes to the thread and its response comes back, so the queue's guarantees stay on the main thread, and a
thread that dies is started again with its batch delivered again. Measured in pairs in an earlier session (load 3–4):
one thread 3,294 and 1,660 accepted alerts/s with p99 11.6 s and 21.9 s to page, the processor thread 3,876 and 2,640
alerts/s with p99 10.4 s and 18.5 s; it costs ~50–60 MB of resident memory (a second isolate loads the processor's
modules again). The emulator in the processor's thread as well was slower still (882 alerts/s at load 8–10) and
would die with it. In AWS the model
above applies: with no batching window the time to page is a few hundred milliseconds, dominated by the channel's
answer and, after a quiet period, by cold starts. Every page still waits for a durable conditional create: the
price of never paging twice and never losing an accepted alert across crashes, which an in-memory dispatcher does
not pay.

**New incidents: calls and write units.** Opening an incident is ${fmt(f.openCalls, 2)} DynamoDB calls in the unique-alert run (one
incident alone takes 3: its heads read, its alert-log entry, its head; a batch shares the reads and the alert-log
writes of its new incidents, above) and ${fmt(f.openWru, 2)} write units: 1 for the
alert-log entry, 1 for the head (its opening events ride on it as a compact attribute until the head would outgrow
1 KB with them; then they move to timeline items once) and 2 for the head's keys-only index entries (\`byStatus\`,
\`byService\`). The unfiltered incident list has no index of its own (it was 5 units with the \`byTime\` index): it
merges the four \`byStatus\` partitions. The page adds its own calls and units (above).

**Write units in the storm.** Incident heads and alert-log entries keep their document as a compact binary body
(raw deflate with a preset dictionary; docs/architecture.md), so a storm's head with its 16-key idempotency ring
(~2.4 KB as plain attributes) and an alert-log entry with its decision trace (~1.4 KB) take one write unit each;
before that the storm cost 0.30 units per alert (0.60 before the alert-log limit of 5). What is left: ${share('incident')} incident
heads (one per new incident, one per fingerprint group per batch, and the escalation's bookkeeping), ${share('alert')} alert-log
entries (the first \`processing.alertLogLimit\` alerts of every incident), ${share('timeline')} timeline events (opened, page,
notification), the channel rate counter and delivery markers, and the three keys-only index entries of every new
incident (counted in the total, not in the shares). A new incident's head is written once to open it and once
when its page records its step. Fewer processor batches (more alerts per head write)
would lower it further, at the cost of time to page.

**Transitions and cost.** Level 1 pages inline (an asynchronous invoke of the Page function), and a plan with more
steps starts its execution at the Wait before level 2, so an incident acknowledged at level 1 takes ${fmt(f.transitionsAcked, 1)} state
transition(s): ${money(f.sfnDollarsAcked)} per million alerts at a 5 % incident rate (it was 4 transitions and $5.00 when the
execution paged level 1 itself: Wait, Page, Continue?, Wait). Incidents nobody acknowledges still walk the state
machine (the escalation table above). One alert per request (scenarios C and D) adds $1 of HTTP API, the ingest
Lambda, SQS, and a head write per alert; batching senders (Alertmanager, Threat Stack) stay near scenarios A and B.
A message whose alerts all belong to one fingerprint no longer writes a delivery-marker item (it was 1 write unit
per message, ~$0.63 per million one-alert requests): its marker rides in the idempotency ring of the head it writes
anyway, and becomes an item only when the ring drops it or two newer incidents of the fingerprint push its head out
of the processor's read (docs/architecture.md §Idempotency and concurrency); a message of stale state changes only
needs none.

**The log bill and the raw archive.** The model used to price only the INFO lines the handlers wrote (two per alert,
~850 bytes: $0.43 in D). What AWS would bill for logs at one alert per request was ~$1.47 per million alerts: the
handler lines with the Lambda context Powertools adds in AWS (~720 bytes each: $0.72), two EMF lines per ingest
invocation ($0.29), START/END/REPORT of every ingest and processor invocation (~435 bytes: $0.22) and the access log
line ($0.19). What changed: the functions log JSON at system log level WARN (no START/END/REPORT; invocations,
duration, errors and throttles stay in Lambda's metrics, which the alarms read); the processor writes one INFO line
per batch (\`batch processed\`: alerts per outcome and per reason, incidents opened and updated) and each alert's
decision at DEBUG (the decision and its reason stay in the alert log); an accepted delivery logs nothing at INFO (the
access log and the \`AlertsAccepted\` metric record it; a record sent to the dead-letter queue still warns with its
reason, an HTTP 4xx is in the access log and \`DeliveriesRejected\`, its reason in the answer); the access log line
keeps the request id, time, source IP, route key, status, latency and errors (~160 bytes; never the path); an ingest
invocation's EMF is one line with two dimension sets (~300 bytes). The logs of D now cost ${money(dLogs)}
(docs/deploy.md §12, "Logs and traces"). The model also lacked X-Ray (${money(d('X-Ray'))} in D: 5 % of the processor's and the escalation's
invocations; the ingest functions' active tracing, 5 % of one invocation per request, cost $0.25 per million one-alert
requests and is now pass-through) and the raw archive, which made one S3 PUT per accepted delivery ($5.00 per million
one-alert requests, more than any other line of D) until the bodies moved into the queue messages: a delivery that
fits in one message travels with its raw body, and the processor archives a batch's bodies as one object before it
writes anything of the batch (docs/architecture.md §Failure handling). The archive's PUTs in D are now ${money(dS3)} (one
per processor batch), and the PUT left the ingest's answer (the AWS model above puts it in the processor, overlapping
the heads read). Without the archive D would cost ${money(f.scenarioD.total - dS3)}: the HTTP API ($1 per million one-alert requests),
the one Step Functions transition of an incident acknowledged at level 1, SQS (a send per request), the ingest Lambda
and DynamoDB (the alert's head write, the acknowledgement's writes) make most of it.
`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
