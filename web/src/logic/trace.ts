/**
 * The decision trace viewer's model: for one alert, each stage's decision (the trace's steps, grouped by stage in
 * order) and the ordered routing and tagging rules of the config, each marked:
 * - routing is first match: the rule the trace names is `matched`, the ones before it `not-matched` (or `error`
 *   when the trace says it could not be evaluated), the ones after it `not-reached`; with the default route every
 *   rule is `not-matched` and the default row is `matched`;
 * - tagging evaluates every rule: those the trace names are `matched`, the rest `not-matched`.
 * A rule the trace names that the current config no longer has is added, marked `changed`: the config changed
 * since the alert was processed.
 */
import type { RuleBook, TraceStep } from '../types';

export type RuleState = 'matched' | 'not-matched' | 'not-reached' | 'error' | 'not-evaluated';

export interface RuleRow {
  name: string;
  when: string;
  explanation?: string;
  /** Routing rules: where the rule sends an alert. */
  service?: string;
  state: RuleState;
  /** The evaluation error, or a note such as "no longer in the config". */
  note?: string;
  isDefault?: boolean;
}

export interface StageGroup {
  stage: string;
  steps: TraceStep[];
}

export interface TraceView {
  stages: StageGroup[];
  routing: RuleRow[];
  tagging: RuleRow[];
}

const ruleOf = (s: TraceStep): string | undefined => (typeof s.data?.rule === 'string' ? s.data.rule : undefined);
const errorOf = (s: TraceStep): string | undefined => (typeof s.data?.error === 'string' ? s.data.error : undefined);

export function stagesOf(steps: readonly TraceStep[]): StageGroup[] {
  const groups: StageGroup[] = [];
  for (const s of steps) {
    const last = groups[groups.length - 1];
    if (last && last.stage === s.stage) last.steps.push(s);
    else groups.push({ stage: s.stage, steps: [s] });
  }
  return groups;
}

export function routingRows(steps: readonly TraceStep[], book: RuleBook): RuleRow[] {
  const routeSteps = steps.filter((s) => s.stage === 'route');
  const errors = new Map(routeSteps.filter((s) => s.outcome === 'error').map((s) => [ruleOf(s), errorOf(s)]));
  const matchedStep = routeSteps.find((s) => s.outcome === 'matched');
  const matched = matchedStep ? ruleOf(matchedStep) : undefined;
  const usedDefault = routeSteps.some((s) => s.outcome === 'default');
  const evaluated = matched !== undefined || usedDefault;
  const rows: RuleRow[] = [];
  let reached = true;
  for (const r of book.routing) {
    let state: RuleState;
    if (!evaluated) state = 'not-evaluated';
    else if (!reached) state = 'not-reached';
    else if (r.name === matched) state = 'matched';
    else if (errors.has(r.name)) state = 'error';
    else state = 'not-matched';
    if (state === 'matched') reached = false;
    rows.push({ ...r, state, ...(state === 'error' ? { note: errors.get(r.name) ?? 'could not be evaluated' } : {}) });
  }
  if (matched !== undefined && !book.routing.some((r) => r.name === matched)) {
    rows.push({ name: matched, when: String(matchedStep?.data?.when ?? ''), state: 'matched', note: 'no longer in the config (it changed since this alert)' });
  }
  rows.push({ name: 'default', when: 'no rule matched', service: book.defaultRoute.service, isDefault: true, state: usedDefault ? 'matched' : evaluated ? 'not-reached' : 'not-evaluated' });
  return rows;
}

export function taggingRows(steps: readonly TraceStep[], book: RuleBook): RuleRow[] {
  const classify = steps.filter((s) => s.stage === 'classify');
  if (classify.length === 0) return book.tagging.map((r) => ({ ...r, state: 'not-evaluated' as const }));
  const matched = new Set(classify.filter((s) => s.outcome === 'tagged').map(ruleOf));
  const errors = new Map(classify.filter((s) => s.outcome === 'error').map((s) => [ruleOf(s), errorOf(s)]));
  const rows: RuleRow[] = book.tagging.map((r) =>
    matched.has(r.name) ? { ...r, state: 'matched' }
    : errors.has(r.name) ? { ...r, state: 'error', note: errors.get(r.name) ?? 'could not be evaluated' }
    : { ...r, state: 'not-matched' });
  for (const name of matched) {
    if (name !== undefined && !book.tagging.some((r) => r.name === name)) rows.push({ name, when: '', state: 'matched', note: 'no longer in the config (it changed since this alert)' });
  }
  return rows;
}

export function traceView(steps: readonly TraceStep[], book: RuleBook): TraceView {
  return { stages: stagesOf(steps), routing: routingRows(steps, book), tagging: taggingRows(steps, book) };
}
