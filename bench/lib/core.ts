/**
 * Core pipeline throughput in one process, no I/O: normalize (Alertmanager webhook bodies of 100 alerts),
 * fingerprint + rules + route (`evaluateAlert` with `compileRules` of the given config), and the dedup decision
 * (`planIncidentChanges` per fingerprint group, each batch of 100 alerts planned against the incident state the
 * previous batches left, kept in a Map). Median of several runs; the per-stage split is from the median run.
 */
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../../lambdas/core/config/normalize-options';
import { planIncidentChanges, type EvaluatedAlert } from '../../lambdas/core/deduplicate';
import type { Incident } from '../../lambdas/core/model/incident';
import { normalizeAlertmanager } from '../../lambdas/core/normalize/alertmanager';
import { evaluateAlert } from '../../lambdas/core/pipeline';
import { compileRules } from '../../lambdas/core/rules/compile';
import { messageKeyOf } from '../../lambdas/core/fingerprint';
import { batches, buildStorm, webhookBody } from './storm';
import { median } from './stats';

export interface CoreResult {
  alerts: number;
  fingerprints: number;
  alertsPerSecond: number;
  /** Alerts per second of this process's CPU time (user + system; steadier than wall time on a shared machine). */
  cpuAlertsPerSecond: number;
  /** CPU µs per alert of each run. */
  runsUs: number[];
  usPerAlert: { normalize: number; evaluate: number; plan: number; total: number };
  runs: number;
  incidents: number;
}

export function coreThroughput(config: PipelineConfig, alerts = 20_000, fingerprints = 200, runs = 5): CoreResult {
  return prepareCore(config, alerts, fingerprints)(runs);
}

/** The workload built (bodies, compiled rules); the function measures `runs` runs after a warm-up. */
function prepareCore(config: PipelineConfig, alerts: number, fingerprints: number): (runs: number) => CoreResult {
  const storm = buildStorm(alerts, fingerprints, 7);
  const bodies = batches(storm, 100).map((b) => webhookBody(b));
  const rules = compileRules(config);
  const options = normalizeOptionsFrom(config);
  const nowMs = Date.parse('2026-01-05T10:05:00.000Z');
  const now = new Date(nowMs).toISOString();
  return (runs) => {
    const results: Array<{ total: number; cpu: number; normalize: number; evaluate: number; plan: number; incidents: number }> = [];
    for (let run = 0; run < runs + 1; run++) {
      const state = new Map<string, Incident>();
      let tn = 0;
      let te = 0;
      let tp = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      bodies.forEach((body, i) => {
        const a0 = performance.now();
        const normalized = normalizeAlertmanager(JSON.parse(body), { receivedAt: now, requestId: `req-${i}`, options });
        const messageKey = messageKeyOf('alertmanager', normalized.map((a) => a.deliveryKey));
        const a1 = performance.now();
        const groups = new Map<string, EvaluatedAlert[]>();
        for (const alert of normalized) {
          const evaluation = evaluateAlert(alert, rules, nowMs);
          const list = groups.get(evaluation.fingerprint) ?? [];
          list.push({ alert, messageKey, receivedAt: now, archiveKey: `raw/${i}.json`, evaluation });
          groups.set(evaluation.fingerprint, list);
        }
        const a2 = performance.now();
        for (const [fp, group] of groups) {
          const plan = planIncidentChanges(state.get(fp) ?? null, group, now, nowMs);
          const latest = plan.creates.at(-1) ?? plan.update?.after;
          if (latest) state.set(fp, latest);
        }
        const a3 = performance.now();
        tn += a1 - a0;
        te += a2 - a1;
        tp += a3 - a2;
      });
      const total = performance.now() - t0;
      const c1 = process.cpuUsage(c0);
      const cpu = (c1.user + c1.system) / 1000;
      if (run > 0) results.push({ total, cpu, normalize: tn, evaluate: te, plan: tp, incidents: state.size }); // run 0 warms up
    }
    const mid = [...results].sort((a, b) => a.total - b.total)[Math.floor(results.length / 2)]!;
    const us = (ms: number) => (ms * 1000) / alerts;
    return {
      alerts,
      fingerprints,
      alertsPerSecond: alerts / (median(results.map((r) => r.total)) / 1000),
      cpuAlertsPerSecond: alerts / (median(results.map((r) => r.cpu)) / 1000),
      runsUs: results.map((r) => (r.cpu * 1000) / alerts),
      usPerAlert: { normalize: us(mid.normalize), evaluate: us(mid.evaluate), plan: us(mid.plan), total: us(mid.total) },
      runs,
      incidents: mid.incidents,
  };
  };
}

export interface ProfileFrame {
  /** Function name and where it is (repository-relative file; node_modules packages by name). */
  frame: string;
  /** Share of the profile's samples spent in the function itself (self time), %. */
  selfPercent: number;
}

export interface CoreProfile {
  samples: number;
  sampledMs: number;
  top: ProfileFrame[];
}

/** A profile frame's place, short: the package name for node_modules, else the path relative to the repository. */
function placeOf(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const root = path.indexOf('/lambdas/') >= 0 ? path.indexOf('/lambdas/') : path.indexOf('/bench/');
  return root >= 0 ? path.slice(root + 1) : path.split('/').pop()!;
}

/**
 * A CPU profile of `coreThroughput` on `config` (the V8 sampling profiler through node:inspector, in this process:
 * the same as `node --cpu-prof`), reduced to the functions with the most self time. Frames of one function are
 * added up; `(garbage collector)` is V8's GC, `(program)` native code outside JavaScript.
 */
export async function profileCore(config: PipelineConfig, alerts = 20_000, fingerprints = 200, top = 12): Promise<CoreProfile> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    const run = prepareCore(config, alerts, fingerprints); // the workload's construction is not profiled
    await session.post('Profiler.start');
    run(2);
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>; startTime: number; endTime: number };
    };
    const self = new Map<string, number>();
    let samples = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      const { functionName, url } = node.callFrame;
      if (functionName === '(root)' || functionName === '(idle)') continue;
      const place = placeOf(url);
      const key = `${functionName || '(anonymous)'}${place ? ` (${place})` : ''}`;
      self.set(key, (self.get(key) ?? 0) + hits);
      samples += hits;
    }
    const frames = [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([frame, hits]) => ({ frame, selfPercent: (100 * hits) / Math.max(1, samples) }));
    return { samples, sampledMs: (profile.endTime - profile.startTime) / 1000, top: frames };
  } finally {
    await session.post('Profiler.disable').catch(() => {});
    session.disconnect();
  }
}
