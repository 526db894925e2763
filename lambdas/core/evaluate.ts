/**
 * Stages "classify" (tags, severity), "route" and "suppress", run per alert before "deduplicate".
 * This file holds the built-in defaults: severity from the source's mapping, tags from the alert, the configured
 * default route, and the built-in "does not page" policies. The rules engine replaces `Rules` without touching the
 * stage order in pipeline.ts.
 */
import type { Fingerprint } from './fingerprint';
import type { NormalizedAlert, Severity } from './model/alert';
import type { Route } from './model/incident';
import { step, type TraceStep } from './model/trace';
import type { PipelineConfig } from './config/pipeline-config.schema';

export interface Classification {
  severity: Severity;
  tags: Record<string, string>;
  trace: TraceStep[];
}

export interface Suppression {
  reason: string;
  rule: string | null;
}

/** The compiled rules the evaluation stages consult. Pure functions over the alert; time comes in as an argument. */
export interface Rules {
  classify(alert: NormalizedAlert, fp: Fingerprint, nowMs: number): Classification;
  route(alert: NormalizedAlert, c: Classification, nowMs: number): { route: Route; trace: TraceStep[] };
  suppress(alert: NormalizedAlert, c: Classification, route: Route, nowMs: number): { suppression: Suppression | null; trace: TraceStep[] };
}

/** Built-in rules: source severity, source tags, the configured default route, no suppression. */
export function defaultRules(config: PipelineConfig): Rules {
  const teamOf = new Map(config.services.map((s) => [s.name, s.team]));
  const def = config.routing.default;
  return {
    classify(alert) {
      const tags: Record<string, string> = { source: alert.source, severity: alert.severity };
      return {
        severity: alert.severity,
        tags,
        trace: [step('classify', 'default', `severity ${alert.severity} from the ${alert.source} mapping of "${alert.sourceSeverity}"`)],
      };
    },
    route() {
      const route: Route = { service: def.service, team: teamOf.get(def.service) ?? null, escalationPolicy: def.escalationPolicy ?? null, rule: 'default' };
      return { route, trace: [step('route', 'default', `no routing rule matched; default route to service ${def.service}`)] };
    },
    suppress() {
      return { suppression: null, trace: [step('suppress', 'none', 'no suppression rule matched')] };
    },
  };
}
