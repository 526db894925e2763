/**
 * The rules engine: stages "fingerprint" (dedup rules), "classify" (tagging rules, severity), "route" (routing
 * rules), "suppress" (suppression rules, maintenance windows) and the delay decision, in the order pipeline.ts runs
 * them (`evaluateAlert`). `compileRules(config)` parses every CEL expression once; each stage is then a pure
 * function of the alert, the tags so far and the time it is given.
 *
 * A condition that fails at run time (a missing key, a wrong type) does not match; the error is kept in the stage's
 * trace step with the rule's name, explanation and condition. Semantics, order and conflicts: docs/rules.md.
 */
import { ConfigError, formatPath } from '../errors';
import type { Classification, Identity, Rules, Suppression } from '../evaluate';
import type { PipelineConfig } from '../config/pipeline-config.schema';
import { SEVERITIES, type NormalizedAlert, type Severity } from '../model/alert';
import type { Route } from '../model/incident';
import { step, type TraceStage, type TraceStep } from '../model/trace';
import { CelAlert, celAlarmOf, celToString, celTypeName, compileExpression, type CompiledExpression, type ConditionActivation } from './expressions';
import { compileSchedule, type MaintenanceWindow, type Occurrence, type WindowSchedule } from './maintenance';

type RulesConfig = PipelineConfig['rules'];
type ServiceConfig = PipelineConfig['services'][number];

/** What every compiled rule keeps for its trace step. */
interface RuleInfo {
  name: string;
  explanation?: string;
  /** The condition's source text (null = no condition). */
  when: string | null;
}

interface CompiledRule extends RuleInfo {
  condition: CompiledExpression | null;
}

interface CompiledTaggingRule extends CompiledRule {
  tags: Array<{ key: string; literal: string } | { key: string; expr: CompiledExpression }>;
}

interface CompiledDedupRule extends CompiledRule {
  source?: string;
  service?: string;
  fingerprint: CompiledExpression | null;
  windowMinutes: number | null;
}

interface CompiledWindow extends RuleInfo {
  window: MaintenanceWindow;
  schedule: WindowSchedule;
  condition: CompiledExpression | null;
  adHoc: boolean;
}

/** The maintenance windows of a config, in the shape the suppress stage (and the API) use. */
export function maintenanceWindowsOf(config: PipelineConfig): MaintenanceWindow[] {
  return (config.maintenance ?? []).map((m) => {
    const w: MaintenanceWindow = { name: m.name, services: [...(m.services ?? [])], when: m.when ?? null };
    if (m.reason !== undefined) w.reason = m.reason;
    for (const k of ['start', 'end', 'rrule', 'timezone', 'firstStart'] as const) if (m[k] !== undefined) w[k] = m[k];
    if (m.durationMinutes !== undefined) w.durationMinutes = m.durationMinutes;
    return w;
  });
}
type AnyWindow = Pick<CompiledWindow, 'window' | 'schedule' | 'condition' | 'adHoc'>;
type RuleSource = { name: string; explanation?: string | undefined; when?: string | undefined };
type RulesOf = NonNullable<RulesConfig>;

/** Where routes point: the services of the config and its default route. */
interface Router {
  services: Map<string, ServiceConfig>;
  routeDefault: PipelineConfig['routing']['default'];
}

/**
 * Compiles the rules of a (validated) config. Throws ConfigError naming the path when an expression or a maintenance
 * window cannot be compiled (parsePipelineConfig already rejects those, so this only happens with unchecked input).
 */
export function compileRules(config: PipelineConfig): Rules {
  const rules: RulesConfig = config.rules ?? { tagging: [], routing: [], suppression: [], dedup: [], delays: [] };
  const tagging = compileTagging(rules.tagging ?? []);
  const routing = (rules.routing ?? []).map((r, i) => ({ ...info(r, ['rules', 'routing', i]), route: r.route }));
  const suppression = (rules.suppression ?? []).map((r, i) => ({ ...info(r, ['rules', 'suppression', i]), reason: r.reason }));
  const delays = (rules.delays ?? []).map((r, i) => ({ ...info(r, ['rules', 'delays', i]), holdMinutes: r.holdMinutes }));
  const dedup = compileDedup(rules.dedup ?? []);
  const windows = compileWindows(config);
  const router: Router = { services: new Map(config.services.map((s) => [s.name, s])), routeDefault: config.routing.default };
  const compileAdHoc = adHocCompiler();

  // Identify may need the classification and route of the alert it is looking at (a dedup rule's `when` sees the
  // tags; `service` is the routed service). Keep the last one so classify and route do not run twice.
  let memo: { alert: NormalizedAlert; classification: Classification } | null = null;
  const classificationOf = (alert: NormalizedAlert): Classification => {
    if (memo?.alert !== alert) memo = { alert, classification: classifyAlert(tagging, alert) };
    const c = memo.classification;
    return { severity: c.severity, tags: { ...c.tags }, trace: [...c.trace] };
  };
  const routeOf = (alert: NormalizedAlert, c: Classification) => routeAlert(routing, router, alert, c);

  return {
    identify: (alert) => identifyAlert(dedup, alert, classificationOf, routeOf),
    classify: (alert) => classificationOf(alert),
    route: (alert, c) => routeOf(alert, c),
    suppress: (alert, c, route, nowMs, adHocWindows) => {
      const trace: TraceStep[] = [];
      const act = activation(alert, c.tags, c.severity);
      const byRule = suppressByRule(suppression, act, trace);
      if (byRule) return { suppression: byRule, trace };
      const all = adHocWindows.length === 0 ? windows : [...windows, ...adHocWindows.map((w) => compileAdHoc(w, trace))];
      return { suppression: suppressByWindow(all, route, act, nowMs, trace), trace };
    },
    delay: (alert, c) => delayAlert(delays, alert, c),
  };
}

// ---- compiling, one function per rule kind ------------------------------------------------------------------------

function expr(source: string, path: PropertyKey[]): CompiledExpression {
  try {
    return compileExpression(source);
  } catch (err) {
    throw new ConfigError([{ path: formatPath(path), message: `invalid expression: ${(err as Error).message}` }]);
  }
}

function info(r: RuleSource, path: PropertyKey[]): CompiledRule {
  return {
    name: r.name,
    ...(r.explanation !== undefined ? { explanation: r.explanation } : {}),
    when: r.when ?? null,
    condition: r.when === undefined ? null : expr(r.when, [...path, 'when']),
  };
}

function compileTagging(rules: NonNullable<RulesOf['tagging']>): CompiledTaggingRule[] {
  return rules.map((r, i) => ({
    ...info(r, ['rules', 'tagging', i]),
    tags: Object.entries(r.tags).map(([key, v]) =>
      typeof v === 'string' ? { key, literal: v } : { key, expr: expr(v.expr, ['rules', 'tagging', i, 'tags', key, 'expr']) },
    ),
  }));
}

function compileDedup(rules: NonNullable<RulesOf['dedup']>): CompiledDedupRule[] {
  return rules.map((r, i) => ({
    ...info(r, ['rules', 'dedup', i]),
    ...(r.source !== undefined ? { source: r.source } : {}),
    ...(r.service !== undefined ? { service: r.service } : {}),
    fingerprint: r.fingerprint === undefined ? null : expr(r.fingerprint, ['rules', 'dedup', i, 'fingerprint']),
    windowMinutes: r.windowMinutes ?? null,
  }));
}

function compileWindows(config: PipelineConfig): CompiledWindow[] {
  return maintenanceWindowsOf(config).map((w, i) => {
    let schedule: WindowSchedule;
    try {
      schedule = compileSchedule(w);
    } catch (err) {
      throw new ConfigError([{ path: formatPath(['maintenance', i]), message: (err as Error).message }]);
    }
    const condition = w.when === null ? null : expr(w.when, ['maintenance', i, 'when']);
    return { name: w.name, when: w.when, window: w, schedule, condition, adHoc: false };
  });
}

/** Compiles ad-hoc windows as they come (from the API), caching their conditions; an invalid one is ignored, traced. */
function adHocCompiler(): (window: MaintenanceWindow, trace: TraceStep[]) => AnyWindow | null {
  const conditions = new Map<string, CompiledExpression | string>();
  const conditionOf = (source: string): CompiledExpression | string => {
    let compiled = conditions.get(source);
    if (compiled === undefined) {
      try {
        compiled = compileExpression(source);
      } catch (err) {
        compiled = (err as Error).message;
      }
      if (conditions.size >= 256) conditions.delete(conditions.keys().next().value as string);
      conditions.set(source, compiled);
    }
    return compiled;
  };
  return (window, trace) => {
    let schedule: WindowSchedule;
    try {
      schedule = compileSchedule(window);
    } catch (err) {
      trace.push(step('suppress', 'error', `maintenance window "${window.name}" is invalid (${(err as Error).message}); ignored`, { window: window.name }));
      return null;
    }
    let condition: CompiledExpression | null = null;
    if (window.when !== null && window.when !== undefined) {
      const c = conditionOf(window.when);
      if (typeof c === 'string') {
        trace.push(step('suppress', 'error', `maintenance window "${window.name}" has an invalid condition (${c}); ignored`, { window: window.name, when: window.when }));
        return null;
      }
      condition = c;
    }
    return { window: { ...window, services: window.services ?? [], when: window.when ?? null }, schedule, condition, adHoc: true };
  };
}

// ---- evaluating --------------------------------------------------------------------------------------------------

/**
 * The CEL values of the alert evaluated last: the stages of one alert (identify, classify, route, suppress, delay)
 * run one after the other and share them (nothing changes them; `tags` is passed apart). One entry, no map: the
 * next alert replaces it.
 */
let lastCel: { of: NormalizedAlert; alert: CelAlert; alarm: ReturnType<typeof celAlarmOf> } | null = null;

function activation(alert: NormalizedAlert, tags: Record<string, string>, severity: string = alert.severity): ConditionActivation {
  if (lastCel === null || lastCel.of !== alert || lastCel.alert.severity !== severity) {
    lastCel = { of: alert, alert: new CelAlert(alert, severity), alarm: celAlarmOf(alert) };
  }
  return { alert: lastCel.alert, tags, payload: alert.raw ?? null, alarm: lastCel.alarm };
}

/** Evaluates a rule's condition: true, false, or false with an error step appended to `trace`. */
function matches(rule: CompiledRule, act: ConditionActivation, stage: TraceStage, kind: string, trace: TraceStep[]): boolean {
  if (rule.condition === null) return true;
  // A condition that requires another source is false without running it (see CompiledExpression.requiredSource).
  const only = rule.condition.requiredSource;
  if (only !== undefined && only !== null && act.alert.source !== only) return false;
  const r = rule.condition.evaluate(act);
  if (r.ok && typeof r.value === 'boolean') return r.value;
  const error = r.ok ? `condition returned ${celTypeName(r.value)}, not bool` : r.error;
  trace.push(step(stage, 'error', `${kind} "${rule.name}" could not be evaluated (${error}); treated as not matching`, { ...ruleData(rule), error }));
  return false;
}

function policyOf(router: Router, service: string, severity: Severity): string | null {
  const p = router.services.get(service)?.escalationPolicy;
  if (p === undefined) return null;
  if (typeof p === 'string') return p;
  return p[severity] ?? p.default ?? null;
}

function routeTo(router: Router, target: { service: string; escalationPolicy?: string | undefined }, severity: Severity, rule: string): Route {
  return {
    service: target.service,
    team: router.services.get(target.service)?.team ?? null,
    escalationPolicy: target.escalationPolicy ?? policyOf(router, target.service, severity),
    rule,
  };
}

// ---- stages, one function per rule kind ---------------------------------------------------------------------------

interface TaggingOutcome {
  set: Record<string, string>;
  ignored: Record<string, string>;
  errors: Record<string, string>;
  severity: Severity | null;
}

/** Applies one matching tagging rule: sets its tags in `tags` (in place: later rules see them). */
function applyTaggingRule(rule: CompiledTaggingRule, act: ConditionActivation, tags: Record<string, string>): TaggingOutcome {
  const out: TaggingOutcome = { set: {}, ignored: {}, errors: {}, severity: null };
  for (const t of rule.tags) {
    let value: string;
    if ('literal' in t) value = t.literal;
    else {
      const r = t.expr.evaluate(act);
      const s = r.ok ? celToString(r.value) : null;
      if (s === null) {
        out.errors[t.key] = r.ok ? `expression returned ${celTypeName(r.value)}, not a string` : r.error;
        continue;
      }
      value = s;
    }
    if (t.key === 'severity') {
      if (!(SEVERITIES as readonly string[]).includes(value)) {
        out.ignored[t.key] = value;
        continue;
      }
      out.severity = value as Severity;
    }
    tags[t.key] = value;
    out.set[t.key] = value;
  }
  return out;
}

function taggedStep(rule: CompiledTaggingRule, { set, ignored, errors }: TaggingOutcome): TraceStep {
  const notes = [
    Object.keys(ignored).length > 0 ? `ignored severity "${ignored.severity}" (not sev1, sev2 or sev3)` : '',
    Object.keys(errors).length > 0 ? `could not evaluate ${Object.keys(errors).join(', ')}` : '',
  ].filter(Boolean);
  return step('classify', 'tagged', `${fired('tagging rule', rule)}; set ${describeTags(set)}${notes.length ? `; ${notes.join('; ')}` : ''}`, {
    ...ruleData(rule),
    tags: set,
    ...(Object.keys(ignored).length > 0 ? { ignored } : {}),
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
  });
}

function classifyAlert(tagging: readonly CompiledTaggingRule[], alert: NormalizedAlert): Classification {
  const tags: Record<string, string> = { source: alert.source, severity: alert.severity };
  let severity: Severity = alert.severity;
  let severityRule: string | null = null;
  const trace: TraceStep[] = [];
  const act = activation(alert, tags); // `tags` is updated in place: later rules see earlier tags
  for (const rule of tagging) {
    if (!matches(rule, act, 'classify', 'tagging rule', trace)) continue;
    const outcome = applyTaggingRule(rule, act, tags);
    if (outcome.severity !== null) [severity, severityRule] = [outcome.severity, rule.name];
    trace.push(taggedStep(rule, outcome));
  }
  trace.push(
    severityRule === null
      ? step('classify', 'default', `severity ${severity} from the ${alert.source} mapping of "${alert.sourceSeverity}"`)
      : step('classify', 'severity', `severity ${severity} from tagging rule "${severityRule}" (the ${alert.source} mapping said ${alert.severity})`, {
          rule: severityRule,
          sourceSeverity: alert.sourceSeverity,
          mappedSeverity: alert.severity,
        }),
  );
  return { severity, tags, trace };
}

type RoutingRule = CompiledRule & { route: { service: string; escalationPolicy?: string | undefined } };

function routeAlert(routing: readonly RoutingRule[], router: Router, alert: NormalizedAlert, c: Classification): { route: Route; trace: TraceStep[] } {
  const trace: TraceStep[] = [];
  const act = activation(alert, c.tags, c.severity);
  for (const rule of routing) {
    if (!matches(rule, act, 'route', 'routing rule', trace)) continue;
    const route = routeTo(router, rule.route, c.severity, rule.name);
    trace.push(
      step('route', 'matched', `${fired('routing rule', rule)}; to service ${route.service}${policyNote(route, rule.route.escalationPolicy)}`, {
        ...ruleData(rule),
        ...routeData(route, rule.route.escalationPolicy),
      }),
    );
    return { route, trace };
  }
  const def = router.routeDefault;
  const route = routeTo(router, def, c.severity, 'default');
  trace.push(
    step('route', 'default', `no routing rule matched; default route to service ${route.service}${policyNote(route, def.escalationPolicy)}`,
      routeData(route, def.escalationPolicy)),
  );
  return { route, trace };
}

/** The fingerprint key a matching dedup rule gives, or null (traced) when its fingerprint cannot be evaluated. */
function dedupKey(rule: CompiledDedupRule, alert: NormalizedAlert, act: ConditionActivation | null, trace: TraceStep[]): string | null {
  if (rule.fingerprint === null || act === null) return alert.fingerprintKey;
  const r = rule.fingerprint.evaluate(act);
  const s = r.ok ? celToString(r.value) : null;
  if (s !== null) return `rule:${rule.name}:${s}`;
  const error = r.ok ? `fingerprint returned ${celTypeName(r.value)}, not a string` : r.error;
  trace.push(step('fingerprint', 'error', `dedup rule "${rule.name}": fingerprint could not be evaluated (${error}); rule skipped`, {
    ...ruleData(rule), fingerprint: rule.fingerprint.source, error,
  }));
  return null;
}

function dedupStep(rule: CompiledDedupRule, key: string): TraceStep {
  const what = [
    rule.fingerprint !== null ? `fingerprint key ${key}` : 'the source fingerprint',
    rule.windowMinutes !== null ? `a ${rule.windowMinutes}-minute window` : 'no window',
  ].join(' and ');
  return step('fingerprint', 'dedup-rule', `${fired('dedup rule', rule)}; ${what}`, {
    ...ruleData(rule),
    ...(rule.source !== undefined ? { source: rule.source } : {}),
    ...(rule.service !== undefined ? { service: rule.service } : {}),
    ...(rule.fingerprint !== null ? { fingerprint: rule.fingerprint.source } : {}),
    key,
    windowMinutes: rule.windowMinutes,
  });
}

function identifyAlert(
  dedup: readonly CompiledDedupRule[],
  alert: NormalizedAlert,
  classificationOf: (alert: NormalizedAlert) => Classification,
  routeOf: (alert: NormalizedAlert, c: Classification) => { route: Route },
): Identity {
  const trace: TraceStep[] = [];
  let route: Route | null = null;
  let act: ConditionActivation | null = null;
  for (const rule of dedup) {
    if (rule.source !== undefined && rule.source !== alert.source) continue;
    if (rule.service !== undefined || rule.condition !== null || rule.fingerprint !== null) {
      const c = classificationOf(alert);
      if (rule.service !== undefined) {
        route ??= routeOf(alert, c).route;
        if (route.service !== rule.service) continue;
      }
      act ??= activation(alert, c.tags, c.severity);
    }
    if (act !== null && !matches(rule, act, 'fingerprint', 'dedup rule', trace)) continue;
    const key = dedupKey(rule, alert, act, trace);
    if (key === null) continue;
    trace.push(dedupStep(rule, key));
    return { fingerprintKey: key, windowMinutes: rule.windowMinutes, trace } satisfies Identity;
  }
  return { fingerprintKey: alert.fingerprintKey, windowMinutes: null, trace };
}

type SuppressionRule = CompiledRule & { reason: string };

function suppressByRule(rules: readonly SuppressionRule[], act: ConditionActivation, trace: TraceStep[]): Suppression | null {
  for (const rule of rules) {
    if (!matches(rule, act, 'suppress', 'suppression rule', trace)) continue;
    trace.push(step('suppress', 'suppressed', `${fired('suppression rule', rule)}: ${rule.reason}`, { ...ruleData(rule), reason: rule.reason }));
    return { reason: rule.reason, rule: rule.name };
  }
  return null;
}

/** Whether a window covers the alert's route or condition, and its occurrence now; null when it does not apply. */
function windowInEffect(w: AnyWindow, route: Route, act: ConditionActivation, nowMs: number, trace: TraceStep[]): Occurrence | null {
  const { window } = w;
  if (window.services.length === 0 && window.when === null) return null; // covers nothing (config rejects this)
  if (window.services.length > 0 && !window.services.includes(route.service)) return null;
  const occ = w.schedule.current(nowMs);
  if (occ === null) return null;
  if (w.condition !== null && !matches({ name: window.name, when: window.when, condition: w.condition }, act, 'suppress', 'maintenance window', trace)) {
    return null;
  }
  return occ;
}

function suppressByWindow(windows: readonly (AnyWindow | null)[], route: Route, act: ConditionActivation, nowMs: number, trace: TraceStep[]): Suppression | null {
  for (const w of windows) {
    if (w === null) continue;
    const occ = windowInEffect(w, route, act, nowMs, trace);
    if (occ === null) continue;
    const { window } = w;
    const reason = window.reason ? `: ${window.reason}` : '';
    trace.push(step('suppress', 'maintenance', `maintenance window "${window.name}" is in effect until ${occ.end}${reason}`, {
      window: window.name,
      adHoc: w.adHoc,
      ...(window.reason !== undefined ? { reason: window.reason } : {}),
      services: window.services,
      when: window.when,
      start: occ.start,
      end: occ.end,
    }));
    return { reason: `maintenance: ${window.name}${reason}`, rule: `maintenance:${window.name}`, until: occ.end };
  }
  trace.push(step('suppress', 'none', 'no suppression rule or maintenance window matched'));
  return null;
}

type DelayRule = CompiledRule & { holdMinutes: number };

function delayAlert(delays: readonly DelayRule[], alert: NormalizedAlert, c: Classification): { holdMinutes: number | null; trace: TraceStep[] } {
  const trace: TraceStep[] = [];
  if (delays.length === 0) return { holdMinutes: null, trace };
  const act = activation(alert, c.tags, c.severity);
  for (const rule of delays) {
    if (!matches(rule, act, 'delay', 'delay rule', trace)) continue;
    trace.push(step('delay', 'delayed', `${fired('delay rule', rule)}; hold the first page ${rule.holdMinutes} minutes`, {
      ...ruleData(rule),
      holdMinutes: rule.holdMinutes,
    }));
    return { holdMinutes: rule.holdMinutes, trace };
  }
  trace.push(step('delay', 'not-delayed', 'no delay rule matched; pages at once'));
  return { holdMinutes: null, trace };
}

// ---- trace text ----------------------------------------------------------------------------------------------------

function ruleData(rule: RuleInfo): Record<string, unknown> {
  return { rule: rule.name, ...(rule.explanation !== undefined ? { explanation: rule.explanation } : {}), when: rule.when };
}

function fired(kind: string, rule: RuleInfo): string {
  return `${kind} "${rule.name}" matched${rule.explanation ? ` (${rule.explanation})` : ''}`;
}

function describeTags(tags: Record<string, string>): string {
  const entries = Object.entries(tags);
  return entries.length === 0 ? 'no tags' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

function policyNote(route: Route, fromRoute: string | undefined): string {
  if (route.escalationPolicy === null) return ', no escalation policy';
  return `, escalation policy ${route.escalationPolicy}${fromRoute !== undefined ? '' : ` (the service's)`}`;
}

function routeData(route: Route, fromRoute: string | undefined): Record<string, unknown> {
  return {
    service: route.service,
    team: route.team,
    escalationPolicy: route.escalationPolicy,
    policyFrom: fromRoute !== undefined ? 'route' : route.escalationPolicy !== null ? 'service' : 'none',
  };
}
