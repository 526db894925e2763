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
import { CelAlert, celToString, celTypeName, compileExpression, type CompiledExpression, type ConditionActivation } from './expressions';
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

/**
 * Compiles the rules of a (validated) config. Throws ConfigError naming the path when an expression or a maintenance
 * window cannot be compiled (parsePipelineConfig already rejects those, so this only happens with unchecked input).
 */
export function compileRules(config: PipelineConfig): Rules {
  const rules: RulesConfig = config.rules ?? { tagging: [], routing: [], suppression: [], dedup: [], delays: [] };
  const expr = (source: string, path: PropertyKey[]): CompiledExpression => {
    try {
      return compileExpression(source);
    } catch (err) {
      throw new ConfigError([{ path: formatPath(path), message: `invalid expression: ${(err as Error).message}` }]);
    }
  };
  const info = (r: { name: string; explanation?: string | undefined; when?: string | undefined }, path: PropertyKey[]): CompiledRule => ({
    name: r.name,
    ...(r.explanation !== undefined ? { explanation: r.explanation } : {}),
    when: r.when ?? null,
    condition: r.when === undefined ? null : expr(r.when, [...path, 'when']),
  });

  const tagging: CompiledTaggingRule[] = (rules.tagging ?? []).map((r, i) => ({
    ...info(r, ['rules', 'tagging', i]),
    tags: Object.entries(r.tags).map(([key, v]) =>
      typeof v === 'string' ? { key, literal: v } : { key, expr: expr(v.expr, ['rules', 'tagging', i, 'tags', key, 'expr']) },
    ),
  }));
  const routing = (rules.routing ?? []).map((r, i) => ({ ...info(r, ['rules', 'routing', i]), route: r.route }));
  const suppression = (rules.suppression ?? []).map((r, i) => ({ ...info(r, ['rules', 'suppression', i]), reason: r.reason }));
  const delays = (rules.delays ?? []).map((r, i) => ({ ...info(r, ['rules', 'delays', i]), holdMinutes: r.holdMinutes }));
  const dedup: CompiledDedupRule[] = (rules.dedup ?? []).map((r, i) => ({
    ...info(r, ['rules', 'dedup', i]),
    ...(r.source !== undefined ? { source: r.source } : {}),
    ...(r.service !== undefined ? { service: r.service } : {}),
    fingerprint: r.fingerprint === undefined ? null : expr(r.fingerprint, ['rules', 'dedup', i, 'fingerprint']),
    windowMinutes: r.windowMinutes ?? null,
  }));
  const windows: CompiledWindow[] = maintenanceWindowsOf(config).map((w, i) => {
    let schedule: WindowSchedule;
    try {
      schedule = compileSchedule(w);
    } catch (err) {
      throw new ConfigError([{ path: formatPath(['maintenance', i]), message: (err as Error).message }]);
    }
    return {
      name: w.name,
      when: w.when,
      window: w,
      schedule,
      condition: w.when === null ? null : expr(w.when, ['maintenance', i, 'when']),
      adHoc: false,
    };
  });

  const services = new Map<string, ServiceConfig>(config.services.map((s) => [s.name, s]));
  const routeDefault = config.routing.default;

  // ---- helpers ------------------------------------------------------------------------------------------------

  const activation = (alert: NormalizedAlert, tags: Record<string, string>, severity?: string): ConditionActivation => ({
    alert: new CelAlert(alert, severity),
    tags,
    payload: alert.raw ?? null,
  });

  /** Evaluates a rule's condition: true, false, or false with an error step appended to `trace`. */
  const matches = (rule: CompiledRule, act: ConditionActivation, stage: TraceStage, kind: string, trace: TraceStep[]): boolean => {
    if (rule.condition === null) return true;
    const r = rule.condition.evaluate(act);
    if (r.ok && typeof r.value === 'boolean') return r.value;
    const error = r.ok ? `condition returned ${celTypeName(r.value)}, not bool` : r.error;
    trace.push(step(stage, 'error', `${kind} "${rule.name}" could not be evaluated (${error}); treated as not matching`, { ...ruleData(rule), error }));
    return false;
  };

  const policyOf = (service: string, severity: Severity): string | null => {
    const p = services.get(service)?.escalationPolicy;
    if (p === undefined) return null;
    if (typeof p === 'string') return p;
    return p[severity] ?? p.default ?? null;
  };

  const routeTo = (target: { service: string; escalationPolicy?: string | undefined }, severity: Severity, rule: string): Route => ({
    service: target.service,
    team: services.get(target.service)?.team ?? null,
    escalationPolicy: target.escalationPolicy ?? policyOf(target.service, severity),
    rule,
  });

  // ---- stages -------------------------------------------------------------------------------------------------

  function classifyAlert(alert: NormalizedAlert): Classification {
    const tags: Record<string, string> = { source: alert.source, severity: alert.severity };
    let severity: Severity = alert.severity;
    let severityRule: string | null = null;
    const trace: TraceStep[] = [];
    const act = activation(alert, tags); // `tags` is updated in place: later rules see earlier tags
    for (const rule of tagging) {
      if (!matches(rule, act, 'classify', 'tagging rule', trace)) continue;
      const set: Record<string, string> = {};
      const ignored: Record<string, string> = {};
      const errors: Record<string, string> = {};
      for (const t of rule.tags) {
        let value: string;
        if ('literal' in t) value = t.literal;
        else {
          const r = t.expr.evaluate(act);
          const s = r.ok ? celToString(r.value) : null;
          if (s === null) {
            errors[t.key] = r.ok ? `expression returned ${celTypeName(r.value)}, not a string` : r.error;
            continue;
          }
          value = s;
        }
        if (t.key === 'severity') {
          if (!(SEVERITIES as readonly string[]).includes(value)) {
            ignored[t.key] = value;
            continue;
          }
          severity = value as Severity;
          severityRule = rule.name;
        }
        tags[t.key] = value;
        set[t.key] = value;
      }
      const notes = [
        Object.keys(ignored).length > 0 ? `ignored severity "${ignored.severity}" (not sev1, sev2 or sev3)` : '',
        Object.keys(errors).length > 0 ? `could not evaluate ${Object.keys(errors).join(', ')}` : '',
      ].filter(Boolean);
      trace.push(
        step('classify', 'tagged', `${fired('tagging rule', rule)}; set ${describeTags(set)}${notes.length ? `; ${notes.join('; ')}` : ''}`, {
          ...ruleData(rule),
          tags: set,
          ...(Object.keys(ignored).length > 0 ? { ignored } : {}),
          ...(Object.keys(errors).length > 0 ? { errors } : {}),
        }),
      );
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

  function routeAlert(alert: NormalizedAlert, c: Classification): { route: Route; trace: TraceStep[] } {
    const trace: TraceStep[] = [];
    const act = activation(alert, c.tags, c.severity);
    for (const rule of routing) {
      if (!matches(rule, act, 'route', 'routing rule', trace)) continue;
      const route = routeTo(rule.route, c.severity, rule.name);
      trace.push(
        step('route', 'matched', `${fired('routing rule', rule)}; to service ${route.service}${policyNote(route, rule.route.escalationPolicy)}`, {
          ...ruleData(rule),
          ...routeData(route, rule.route.escalationPolicy),
        }),
      );
      return { route, trace };
    }
    const route = routeTo(routeDefault, c.severity, 'default');
    trace.push(
      step('route', 'default', `no routing rule matched; default route to service ${route.service}${policyNote(route, routeDefault.escalationPolicy)}`,
        routeData(route, routeDefault.escalationPolicy)),
    );
    return { route, trace };
  }

  // Identify may need the classification and route of the alert it is looking at (a dedup rule's `when` sees the
  // tags; `service` is the routed service). Keep the last one so classify and route do not run twice.
  let memo: { alert: NormalizedAlert; classification: Classification } | null = null;
  const classificationOf = (alert: NormalizedAlert): Classification => {
    if (memo?.alert !== alert) memo = { alert, classification: classifyAlert(alert) };
    const c = memo.classification;
    return { severity: c.severity, tags: { ...c.tags }, trace: [...c.trace] };
  };

  const adHocConditions = new Map<string, CompiledExpression | string>();
  const adHocCondition = (source: string): CompiledExpression | string => {
    let compiled = adHocConditions.get(source);
    if (compiled === undefined) {
      try {
        compiled = compileExpression(source);
      } catch (err) {
        compiled = (err as Error).message;
      }
      if (adHocConditions.size >= 256) adHocConditions.delete(adHocConditions.keys().next().value as string);
      adHocConditions.set(source, compiled);
    }
    return compiled;
  };

  /** Whether a window covers the alert's route or condition, and its occurrence now; null when it does not apply. */
  const windowInEffect = (
    w: Pick<CompiledWindow, 'window' | 'schedule' | 'condition' | 'adHoc'>,
    route: Route,
    act: ConditionActivation,
    nowMs: number,
    trace: TraceStep[],
  ): Occurrence | null => {
    const { window } = w;
    if (window.services.length === 0 && window.when === null) return null; // covers nothing (config rejects this)
    if (window.services.length > 0 && !window.services.includes(route.service)) return null;
    const occ = w.schedule.current(nowMs);
    if (occ === null) return null;
    if (w.condition !== null && !matches({ name: window.name, when: window.when, condition: w.condition }, act, 'suppress', 'maintenance window', trace)) {
      return null;
    }
    return occ;
  };

  return {
    identify(alert) {
      const trace: TraceStep[] = [];
      let route: Route | null = null;
      let act: ConditionActivation | null = null;
      for (const rule of dedup) {
        if (rule.source !== undefined && rule.source !== alert.source) continue;
        if (rule.service !== undefined || rule.condition !== null || rule.fingerprint !== null) {
          const c = classificationOf(alert);
          if (rule.service !== undefined) {
            route ??= routeAlert(alert, c).route;
            if (route.service !== rule.service) continue;
          }
          act ??= activation(alert, c.tags, c.severity);
        }
        if (act !== null && !matches(rule, act, 'fingerprint', 'dedup rule', trace)) continue;
        let key = alert.fingerprintKey;
        if (rule.fingerprint !== null && act !== null) {
          const r = rule.fingerprint.evaluate(act);
          const s = r.ok ? celToString(r.value) : null;
          if (s === null) {
            const error = r.ok ? `fingerprint returned ${celTypeName(r.value)}, not a string` : r.error;
            trace.push(step('fingerprint', 'error', `dedup rule "${rule.name}": fingerprint could not be evaluated (${error}); rule skipped`, {
              ...ruleData(rule), fingerprint: rule.fingerprint.source, error,
            }));
            continue;
          }
          key = `rule:${rule.name}:${s}`;
        }
        const what = [
          rule.fingerprint !== null ? `fingerprint key ${key}` : 'the source fingerprint',
          rule.windowMinutes !== null ? `a ${rule.windowMinutes}-minute window` : 'no window',
        ].join(' and ');
        trace.push(step('fingerprint', 'dedup-rule', `${fired('dedup rule', rule)}; ${what}`, {
          ...ruleData(rule),
          ...(rule.source !== undefined ? { source: rule.source } : {}),
          ...(rule.service !== undefined ? { service: rule.service } : {}),
          ...(rule.fingerprint !== null ? { fingerprint: rule.fingerprint.source } : {}),
          key,
          windowMinutes: rule.windowMinutes,
        }));
        return { fingerprintKey: key, windowMinutes: rule.windowMinutes, trace } satisfies Identity;
      }
      return { fingerprintKey: alert.fingerprintKey, windowMinutes: null, trace };
    },

    classify(alert) {
      return classificationOf(alert);
    },

    route(alert, c) {
      return routeAlert(alert, c);
    },

    suppress(alert, c, route, nowMs, adHocWindows) {
      const trace: TraceStep[] = [];
      const act = activation(alert, c.tags, c.severity);
      for (const rule of suppression) {
        if (!matches(rule, act, 'suppress', 'suppression rule', trace)) continue;
        const suppression: Suppression = { reason: rule.reason, rule: rule.name };
        trace.push(step('suppress', 'suppressed', `${fired('suppression rule', rule)}: ${rule.reason}`, { ...ruleData(rule), reason: rule.reason }));
        return { suppression, trace };
      }
      const candidates: Array<Pick<CompiledWindow, 'window' | 'schedule' | 'condition' | 'adHoc'>> = windows;
      const all = adHocWindows.length === 0 ? candidates : [...candidates, ...adHocWindows.map((w) => compileAdHoc(w, trace))];
      for (const w of all) {
        if (w === null) continue;
        const occ = windowInEffect(w, route, act, nowMs, trace);
        if (occ === null) continue;
        const { window } = w;
        const suppression: Suppression = {
          reason: `maintenance: ${window.name}${window.reason ? `: ${window.reason}` : ''}`,
          rule: `maintenance:${window.name}`,
          until: occ.end,
        };
        trace.push(step('suppress', 'maintenance', `maintenance window "${window.name}" is in effect until ${occ.end}${window.reason ? `: ${window.reason}` : ''}`, {
          window: window.name,
          adHoc: w.adHoc,
          ...(window.reason !== undefined ? { reason: window.reason } : {}),
          services: window.services,
          when: window.when,
          start: occ.start,
          end: occ.end,
        }));
        return { suppression, trace };
      }
      trace.push(step('suppress', 'none', 'no suppression rule or maintenance window matched'));
      return { suppression: null, trace };
    },

    delay(alert, c) {
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
    },
  };

  function compileAdHoc(window: MaintenanceWindow, trace: TraceStep[]): Pick<CompiledWindow, 'window' | 'schedule' | 'condition' | 'adHoc'> | null {
    let schedule: WindowSchedule;
    try {
      schedule = compileSchedule(window);
    } catch (err) {
      trace.push(step('suppress', 'error', `maintenance window "${window.name}" is invalid (${(err as Error).message}); ignored`, { window: window.name }));
      return null;
    }
    let condition: CompiledExpression | null = null;
    if (window.when !== null && window.when !== undefined) {
      const c = adHocCondition(window.when);
      if (typeof c === 'string') {
        trace.push(step('suppress', 'error', `maintenance window "${window.name}" has an invalid condition (${c}); ignored`, { window: window.name, when: window.when }));
        return null;
      }
      condition = c;
    }
    return { window: { ...window, services: window.services ?? [], when: window.when ?? null }, schedule, condition, adHoc: true };
  }
}

// ---------------------------------------------------------------------------------------------------------------

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
