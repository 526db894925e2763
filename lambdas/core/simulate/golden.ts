/**
 * Golden cases: each case runs its givens through a config with `Simulator` and compares what the pipeline decided
 * with what the case expects, as readable failure lines:
 *
 *   case 'firewall goes to security', alert 1: route.service expected security, got platform (rule default)
 *
 * Pure: the file is parsed (golden-schema.ts) and the config loaded by the caller (scripts/golden.ts).
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import type { Rules } from '../evaluate';
import type { NormalizedAlert } from '../model/alert';
import { compileRules } from '../rules/compile';
import { RELATIVE_TIME, type AlertExpectation, type AlertShorthand, type GoldenCase, type GoldenFile, type IncidentExpectation } from './golden-schema';
import { Simulator, type SimulatedAlert, type SimulatedIncident, type SimulationInput, type SimulationResult } from './simulate';
import { ConfigError } from '../errors';

export * from './golden-schema';

export interface GoldenCaseResult {
  name: string;
  passed: boolean;
  failures: string[];
  /** What the pipeline decided (for reports and debugging). */
  simulation: SimulationResult | null;
}

export interface GoldenFileResult {
  cases: GoldenCaseResult[];
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a relative time such as `+1h30m`. */
export function relativeMs(text: string): number {
  if (!RELATIVE_TIME.test(text)) throw ConfigError.problem(`"${text}" is not a relative time such as +10m`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * UNIT_MS[unit as string]!;
  return total;
}

/** The absolute times of a case's givens (ISO), in given order. */
export function givenTimes(c: GoldenCase): string[] {
  let prev: number | null = null;
  return c.given.map((g, i) => {
    let ms: number;
    if (g.at === undefined || RELATIVE_TIME.test(g.at)) {
      if (prev === null) throw ConfigError.problem(`case '${c.name}', given ${i + 1}: the first given needs an ISO 8601 time`);
      ms = prev + (g.at === undefined ? 0 : relativeMs(g.at));
    } else ms = Date.parse(g.at);
    prev = ms;
    return new Date(ms).toISOString();
  });
}

function defaultSourceSeverity(a: AlertShorthand, action: string, severity: string): string {
  if (a.source === 'cloudwatch') return action === 'resolve' ? 'OK' : action === 'info' ? 'INSUFFICIENT_DATA' : 'ALARM';
  return severity;
}

/** A NormalizedAlert from the shorthand: everything but `source` has a default (docs/golden-and-replay.md). */
export function alertFromShorthand(a: AlertShorthand, at: string, givenNumber: number): NormalizedAlert {
  const title = a.title ?? `${a.source} test alert`;
  const action = a.action ?? 'trigger';
  const severity = a.severity ?? 'sev2';
  const fingerprintKey = a.fingerprintKey ?? `golden:${a.source}:${title}`;
  return {
    source: a.source,
    deliveryKey: a.deliveryKey ?? `golden:given-${givenNumber}`,
    identity: [['fingerprintKey', fingerprintKey]],
    fingerprintKey,
    action,
    title,
    description: a.description ?? '',
    severity,
    sourceSeverity: a.sourceSeverity ?? defaultSourceSeverity(a, action, severity),
    occurredAt: a.occurredAt === undefined ? at : new Date(Date.parse(a.occurredAt)).toISOString(),
    alertUrl: a.alertUrl ?? null,
    resource: a.resource ?? null,
    labels: a.labels ?? {},
    raw: a.payload ?? {},
  };
}

/** Checks every case of a parsed golden file against `config`. */
export function checkGoldenFile(config: PipelineConfig, file: GoldenFile, options: { rules?: Rules } = {}): GoldenFileResult {
  const rules = options.rules ?? compileRules(config);
  return { cases: file.cases.map((c) => checkGoldenCase(config, c, rules)) };
}

export function checkGoldenCase(config: PipelineConfig, c: GoldenCase, rules: Rules = compileRules(config)): GoldenCaseResult {
  const failures: string[] = [];
  const prefix = `case '${c.name}'`;
  let simulation: SimulationResult;
  const givenOfDelivery: number[] = [];
  try {
    const times = givenTimes(c);
    const inputs: Array<{ input: SimulationInput; given: number; ms: number }> = c.given.map((g, i) => {
      const at = times[i]!;
      const input: SimulationInput = g.alert !== undefined
        ? { at, alerts: [alertFromShorthand(g.alert, at, i + 1)], ...(g.requestId ? { requestId: g.requestId } : {}) }
        : { at, source: g.source!, body: g.body, ...(g.via ? { via: g.via } : {}), ...(g.requestId ? { requestId: g.requestId } : {}) };
      return { input, given: i + 1, ms: Date.parse(at) };
    });
    inputs.sort((a, b) => a.ms - b.ms || a.given - b.given);
    const sim = new Simulator(config, { rules });
    for (const { input, given } of inputs) {
      givenOfDelivery.push(given);
      sim.push(input);
    }
    simulation = sim.result();
  } catch (err) {
    return { name: c.name, passed: false, failures: [`${prefix}: could not be simulated: ${err instanceof Error ? err.message : String(err)}`], simulation: null };
  }

  // Rejections: expected ones must happen (with the error text), others fail the case.
  const expectedRejections = new Map((c.expect.rejected ?? []).map((r) => [r.given, r.error]));
  const rejectedGivens = new Map(simulation.rejected.map((r) => [givenOfDelivery[r.deliveryIndex]!, r]));
  for (const [given, r] of rejectedGivens) {
    if (!expectedRejections.has(given)) failures.push(`${prefix}, given ${given}: rejected by the ${r.source ?? 'unknown'} route (${r.via ?? 'no via'}): ${r.error}`);
  }
  for (const [given, error] of expectedRejections) {
    const r = rejectedGivens.get(given);
    if (!r) failures.push(`${prefix}, given ${given}: expected to be rejected, but it was accepted`);
    else if (error !== undefined && !r.error.includes(error)) failures.push(`${prefix}, given ${given}: rejection expected to contain "${error}", got "${r.error}"`);
  }

  (c.expect.alerts ?? []).forEach((e, i) => {
    const { alert, name } = pick(simulation.alerts, e, i);
    if (!alert) {
      failures.push(
        e.deliveryKey !== undefined
          ? `${prefix}, alert ${name}: no alert with this delivery key (delivery keys: ${simulation.alerts.map((a) => a.deliveryKey).join(', ') || 'none'})`
          : `${prefix}, alert ${name}: no such alert (the case produced ${count(simulation.alerts.length, 'alert')})`,
      );
      return;
    }
    for (const f of checkAlert(alert, e)) failures.push(`${prefix}, alert ${name}: ${f}`);
  });

  if (c.expect.incidentCount !== undefined && c.expect.incidentCount !== simulation.incidents.length) {
    failures.push(`${prefix}: expected ${count(c.expect.incidentCount, 'incident')}, got ${simulation.incidents.length}${listIncidents(simulation.incidents)}`);
  }
  for (const e of c.expect.incidents ?? []) {
    const inc = simulation.incidents.find((x) => x.label === e.label);
    if (!inc) {
      failures.push(`${prefix}, incident ${e.label}: no such incident (the case opened ${simulation.incidents.length}${listIncidents(simulation.incidents)})`);
      continue;
    }
    for (const f of checkIncident(inc, e)) failures.push(`${prefix}, incident ${e.label}: ${f}`);
  }
  return { name: c.name, passed: failures.length === 0, failures, simulation };
}

function pick(alerts: readonly SimulatedAlert[], e: AlertExpectation, position: number): { alert: SimulatedAlert | undefined; name: string } {
  if (e.deliveryKey !== undefined) return { alert: alerts.find((a) => a.deliveryKey === e.deliveryKey), name: e.deliveryKey };
  const n = e.index ?? position + 1;
  return { alert: alerts[n - 1], name: String(n) };
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const listIncidents = (incs: readonly SimulatedIncident[]) => (incs.length ? ` (${incs.map((i) => `${i.label} ${i.status}`).join(', ')})` : '');
const show = (v: string | null | undefined) => (v === null || v === undefined ? 'none' : v);

function suppressionText(a: SimulatedAlert): string {
  const s = a.suppression;
  if (!s) return 'not suppressed';
  return s.rule ? `rule ${s.rule}: ${s.reason}` : s.reason;
}

export function checkAlert(a: SimulatedAlert, e: AlertExpectation): string[] {
  const out: string[] = [];
  if (e.severity !== undefined && a.severity !== e.severity) out.push(`severity expected ${e.severity}, got ${a.severity}`);
  for (const [key, want] of Object.entries(e.tags ?? {})) {
    const got = a.tags[key];
    if (want === null ? got !== undefined : got !== want) out.push(`tags.${key} expected ${want === null ? '(unset)' : want}, got ${got === undefined ? '(unset)' : got}`);
  }
  const r = e.route;
  if (r) {
    const rule = ` (rule ${a.route.rule})`;
    if (r.service !== undefined && a.route.service !== r.service) out.push(`route.service expected ${r.service}, got ${a.route.service}${rule}`);
    if (r.escalationPolicy !== undefined && a.route.escalationPolicy !== r.escalationPolicy) {
      out.push(`route.escalationPolicy expected ${show(r.escalationPolicy)}, got ${show(a.route.escalationPolicy)}${rule}`);
    }
    if (r.team !== undefined && a.route.team !== r.team) out.push(`route.team expected ${show(r.team)}, got ${show(a.route.team)}${rule}`);
    if (r.rule !== undefined && a.route.rule !== r.rule) out.push(`route.rule expected ${r.rule}, got ${a.route.rule}`);
  }
  if (e.suppressed !== undefined) {
    const suppressed = a.suppression !== null;
    if (typeof e.suppressed === 'boolean') {
      if (suppressed !== e.suppressed) out.push(`suppressed expected ${e.suppressed}, got ${suppressed}${suppressed ? ` (${suppressionText(a)})` : ''}`);
    } else if (!suppressed || !a.suppression!.reason.includes(e.suppressed)) {
      out.push(`suppressed expected a reason containing "${e.suppressed}", got ${suppressed ? `"${a.suppression!.reason}"` : 'not suppressed'}`);
    }
  }
  if (e.pages !== undefined && a.pages !== e.pages) {
    out.push(`pages expected ${e.pages}, got ${a.pages} (${a.pages ? `opened ${a.incident} and pages at ${a.pageAt}` : `outcome ${a.outcome}: ${a.reason}`})`);
  }
  if (e.incident !== undefined && a.incident !== e.incident) out.push(`incident expected ${show(e.incident)}, got ${show(a.incident)} (outcome ${a.outcome})`);
  if (e.outcome !== undefined && a.outcome !== e.outcome) out.push(`outcome expected ${e.outcome}, got ${a.outcome} (${a.reason})`);
  if (e.holdMinutes !== undefined && a.holdMinutes !== e.holdMinutes) out.push(`holdMinutes expected ${show(e.holdMinutes?.toString())}, got ${show(a.holdMinutes?.toString())}`);
  return out;
}

export function checkIncident(inc: SimulatedIncident, e: IncidentExpectation): string[] {
  const out: string[] = [];
  if (e.status !== undefined && inc.status !== e.status) out.push(`status expected ${e.status}, got ${inc.status}${inc.resolvedBy ? ` (resolved by ${inc.resolvedBy})` : ''}`);
  if (e.alertCount !== undefined && inc.alertCount !== e.alertCount) out.push(`alertCount expected ${e.alertCount}, got ${inc.alertCount}`);
  if (e.service !== undefined && inc.service !== e.service) out.push(`service expected ${e.service}, got ${inc.service}`);
  if (e.escalationPolicy !== undefined && inc.escalationPolicy !== e.escalationPolicy) {
    out.push(`escalationPolicy expected ${show(e.escalationPolicy)}, got ${show(inc.escalationPolicy)}`);
  }
  if (e.severity !== undefined && inc.severity !== e.severity) out.push(`severity expected ${e.severity}, got ${inc.severity}`);
  if (e.suppressed !== undefined && inc.suppressed !== e.suppressed) {
    out.push(`suppressed expected ${e.suppressed}, got ${inc.suppressed}${inc.suppressionReason ? ` (${inc.suppressionReason})` : ''}`);
  }
  if (e.pages !== undefined && inc.pages !== e.pages) out.push(`pages expected ${e.pages}, got ${inc.pages}${inc.pageNote ? ` (${inc.pageNote})` : ''}`);
  if (e.inhibitedBy !== undefined && inc.inhibitedBy !== e.inhibitedBy) out.push(`inhibitedBy expected ${show(e.inhibitedBy)}, got ${show(inc.inhibitedBy)}`);
  return out;
}
