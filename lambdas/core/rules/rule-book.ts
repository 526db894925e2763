/**
 * The rules of a config in the order the pipeline evaluates them, as the decision trace viewer lays them out: a
 * trace records the rule that matched (and any that failed to evaluate), so the rules before the matching one are
 * the ones that did not match. Conditions are shown as written (CEL).
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';

export interface RuleBookEntry {
  name: string;
  explanation?: string;
  when: string;
}

export interface RuleBook {
  tagging: RuleBookEntry[];
  routing: Array<RuleBookEntry & { service: string }>;
  suppression: RuleBookEntry[];
  defaultRoute: { service: string };
}

const entry = (r: { name: string; explanation?: string | undefined; when: string }): RuleBookEntry =>
  r.explanation !== undefined ? { name: r.name, explanation: r.explanation, when: r.when } : { name: r.name, when: r.when };

export function ruleBookOf(config: Pick<PipelineConfig, 'rules' | 'routing'>): RuleBook {
  return {
    tagging: config.rules.tagging.map(entry),
    routing: config.rules.routing.map((r) => ({ ...entry(r), service: r.route.service })),
    suppression: config.rules.suppression.map(entry),
    defaultRoute: { service: config.routing.default.service },
  };
}
