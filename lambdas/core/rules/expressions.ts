/**
 * The condition language of rules: CEL (Common Expression Language) through @marcbachmann/cel-js. Safe (no
 * `eval`, no loops, no I/O), compiled once, type-checked when the config is loaded (so `cdk synth` fails on a bad
 * expression). See docs/rules.md for why CEL and which variables an expression sees.
 *
 * Two environments:
 * - conditions (rules and maintenance windows): `alert` (typed: its string fields are strings, so `alert.title + 1`
 *   fails the check), `tags` (map of strings), `payload` (the alert's raw payload, dynamic) and `alarm` (a
 *   CloudWatch alarm's tags and description, core/enrich/alarm-enrichment.ts; empty for other sources);
 * - webhook mappings (sources.webhooks[].mapping): `payload` only (the body, or one element of `alerts`).
 */
import { Environment } from '@marcbachmann/cel-js';
import type { AlarmContext, NormalizedAlert } from '../model/alert';
import { ConfigError } from '../errors';

/**
 * The fields of `alert` as an expression sees them: the normalized alert without `raw`. `identity` is a map (field
 * name -> value). `alertUrl` and `resource` are absent when the source has none: test them with `has(alert.resource)`.
 */
export const ALERT_FIELDS = {
  source: 'string',
  deliveryKey: 'string',
  fingerprintKey: 'string',
  action: 'string',
  title: 'string',
  description: 'string',
  severity: 'string',
  sourceSeverity: 'string',
  occurredAt: 'string',
  alertUrl: 'string',
  resource: 'string',
  labels: 'map<string, string>',
  identity: 'map<string, string>',
} as const;

/**
 * The fields of `alarm`: a CloudWatch alarm's identity and what enrichment read from CloudWatch. For other sources
 * every string is empty, `tags` is empty and `enriched` is false.
 */
export const ALARM_FIELDS = {
  arn: 'string',
  name: 'string',
  region: 'string',
  account: 'string',
  tags: 'map<string, string>',
  description: 'string',
  enriched: 'bool',
} as const;

/** What a rule condition sees. */
export const CONDITION_VARIABLES = {
  /** The normalized alert (ALERT_FIELDS). */
  alert: 'Alert',
  /** Tags so far (tagging rules run in order; later rules see earlier tags). */
  tags: 'map<string, string>',
  /** The alert's own raw payload (one Threat Stack alert, the parsed CloudWatch message, ...). */
  payload: 'dyn',
  /** The CloudWatch alarm (ALARM_FIELDS): tags and description read from CloudWatch. */
  alarm: 'Alarm',
} as const;

/** What a webhook mapping expression sees. */
export const WEBHOOK_VARIABLES = {
  /** The JSON body, or one element of the list the `alerts` expression returns. */
  payload: 'dyn',
} as const;

export type ExpressionScope = 'condition' | 'webhook';

/** The `alert` value of an activation: a typed CEL object (a class, so cel-js needs no per-evaluation conversion). */
export class CelAlert {
  source: string;
  deliveryKey: string;
  fingerprintKey: string;
  action: string;
  title: string;
  description: string;
  severity: string;
  sourceSeverity: string;
  occurredAt: string;
  alertUrl?: string;
  resource?: string;
  labels: Record<string, string>;
  /** The identity fields as a map, built when an expression first reads them (few do; it was built per alert). */
  #identity: Record<string, string> | undefined;
  readonly #identityEntries: NormalizedAlert['identity'] | undefined;

  get identity(): Record<string, string> {
    return (this.#identity ??= Object.fromEntries(this.#identityEntries ?? []));
  }

  constructor(alert: NormalizedAlert, severity: string = alert.severity) {
    this.source = alert.source;
    this.deliveryKey = alert.deliveryKey;
    this.fingerprintKey = alert.fingerprintKey;
    this.action = alert.action;
    this.title = alert.title;
    this.description = alert.description;
    this.severity = severity;
    this.sourceSeverity = alert.sourceSeverity;
    this.occurredAt = alert.occurredAt;
    if (alert.alertUrl !== null && alert.alertUrl !== undefined) this.alertUrl = alert.alertUrl;
    if (alert.resource !== null && alert.resource !== undefined) this.resource = alert.resource;
    this.labels = alert.labels ?? {};
    this.#identityEntries = alert.identity;
  }
}

/** The `alarm` value of an activation (a typed CEL object, like CelAlert). */
export class CelAlarm {
  arn: string;
  name: string;
  region: string;
  account: string;
  tags: Record<string, string>;
  description: string;
  enriched: boolean;

  constructor(alarm: AlarmContext | undefined) {
    this.arn = alarm?.arn ?? '';
    this.name = alarm?.name ?? '';
    this.region = alarm?.region ?? '';
    this.account = alarm?.account ?? '';
    this.tags = alarm?.tags ?? {};
    this.description = alarm?.description ?? '';
    this.enriched = alarm?.enriched ?? false;
  }
}

/** One shared `alarm` for every alert that is not a CloudWatch alarm. */
const NO_ALARM = new CelAlarm(undefined);

export function celAlarmOf(alert: NormalizedAlert): CelAlarm {
  return alert.alarm ? new CelAlarm(alert.alarm) : NO_ALARM;
}

/** The variables one evaluation of a condition gets. */
export interface ConditionActivation {
  alert: CelAlert;
  tags: Record<string, string>;
  payload: unknown;
  alarm: CelAlarm;
}

const OPTIONS = { enableOptionalTypes: true } as const;

let conditionEnv: Environment | undefined;
let webhookEnv: Environment | undefined;

/** The shared CEL environment with the condition variables declared. Create once; parse per expression. */
export function conditionEnvironment(): Environment {
  if (!conditionEnv) {
    conditionEnv = new Environment(OPTIONS)
      .registerType('Alert', { ctor: CelAlert, fields: { ...ALERT_FIELDS } })
      .registerType('Alarm', { ctor: CelAlarm, fields: { ...ALARM_FIELDS } })
      .registerVariable('alert', CONDITION_VARIABLES.alert)
      .registerVariable('alarm', CONDITION_VARIABLES.alarm)
      .registerVariable('tags', CONDITION_VARIABLES.tags)
      .registerVariable('payload', CONDITION_VARIABLES.payload);
  }
  return conditionEnv;
}

/** The CEL environment of webhook mappings: `payload` only. */
export function webhookEnvironment(): Environment {
  // Mappings may build alerts from parts (`[{"title": payload.t, "n": 1}]`): allow mixed list and map literals.
  if (!webhookEnv) webhookEnv = new Environment({ ...OPTIONS, homogeneousAggregateLiterals: false }).registerVariable('payload', WEBHOOK_VARIABLES.payload);
  return webhookEnv;
}

export function environmentOf(scope: ExpressionScope): Environment {
  return scope === 'webhook' ? webhookEnvironment() : conditionEnvironment();
}

/**
 * Checks an expression: parses and type-checks it against the declared variables. Returns null when it is fine, or
 * a one-line problem. `expected` is the result type the rule needs (`bool` for conditions, `string` for templates);
 * `dyn` results (anything read from `payload`) pass and are checked when evaluated.
 */
export function checkExpression(expression: string, expected: 'bool' | 'string' | 'any', scope: ExpressionScope = 'condition'): string | null {
  let result: { valid: boolean; type?: string; error?: unknown };
  try {
    result = environmentOf(scope).check(expression) as typeof result;
  } catch (err) {
    return firstLine((err as Error).message);
  }
  if (!result.valid) return firstLine(String((result.error as Error | undefined)?.message ?? result.error ?? 'invalid expression'));
  const badPattern = invalidLiteralPattern(expression, scope);
  if (badPattern) return badPattern;
  if (expected !== 'any' && result.type && result.type !== expected && result.type !== 'dyn') {
    return `must be a ${expected} expression, but it is ${result.type}`;
  }
  return null;
}

/**
 * `matches()` uses JavaScript regular expressions (not RE2: no inline flags such as `(?i)`). A literal pattern that
 * JavaScript rejects would fail on every alert at run time, so it is reported when the config is checked.
 */
function invalidLiteralPattern(expression: string, scope: ExpressionScope): string | null {
  let ast: unknown;
  try {
    ast = environmentOf(scope).parse(expression).ast;
  } catch {
    return null;
  }
  const patterns: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object' || !('op' in node)) return;
    const { op, args } = node as { op: string; args: unknown };
    if ((op === 'rcall' || op === 'call') && Array.isArray(args) && args[0] === 'matches') {
      const callArgs = (op === 'rcall' ? args[2] : args[1]) as Array<{ op?: string; args?: unknown }>;
      const pattern = callArgs[callArgs.length - 1];
      if (pattern?.op === 'value' && typeof pattern.args === 'string') patterns.push(pattern.args);
    }
    visit(args);
  };
  visit(ast);
  for (const pattern of patterns) {
    try {
      new RegExp(pattern); // as cel-js compiles it
    } catch (err) {
      return `invalid regular expression ${JSON.stringify(pattern)} in matches(): ${(err as Error).message} (patterns are JavaScript regular expressions, not RE2: write (?i) as a lowerAscii() comparison)`;
    }
  }
  return null;
}

/** The outcome of evaluating a compiled expression: a value, or the one-line runtime error. */
export type Evaluated = { ok: true; value: unknown } | { ok: false; error: string };

/** A parsed expression: evaluate many times, never throws. */
export interface CompiledExpression {
  source: string;
  evaluate(activation: object): Evaluated;
  /**
   * Conditions only: the source the condition requires (`alert.source == "<name>"` is an operand of its top-level
   * `&&`), so it is false for an alert of any other source without being evaluated; null when it does not say.
   */
  requiredSource?: string | null;
}

/** The operands of an AST's top-level `&&` chain (the node itself when it is not an `&&`). */
function conjuncts(node: unknown, out: unknown[] = []): unknown[] {
  const n = node as { op?: unknown; args?: unknown } | null;
  if (n !== null && typeof n === 'object' && n.op === '&&' && Array.isArray(n.args)) for (const a of n.args) conjuncts(a, out);
  else out.push(node);
  return out;
}

/** `alert.source`, the variable's field (a top-level `alert` is always the variable: no comprehension binds it here). */
function isAlertSource(node: unknown): boolean {
  const n = node as { op?: unknown; args?: unknown[] } | null;
  if (n === null || typeof n !== 'object' || n.op !== '.' || !Array.isArray(n.args) || n.args[1] !== 'source') return false;
  const target = n.args[0] as { op?: unknown; args?: unknown } | null;
  return target !== null && typeof target === 'object' && target.op === 'id' && target.args === 'alert';
}

function stringLiteral(node: unknown): string | null {
  const n = node as { op?: unknown; args?: unknown } | null;
  return n !== null && typeof n === 'object' && n.op === 'value' && typeof n.args === 'string' ? n.args : null;
}

/**
 * The source a condition requires: an operand `alert.source == "<name>"` (either side) of its top-level `&&`. CEL's
 * `&&` is false as soon as one operand is false, whatever the others give (an error, a non-bool), so for an alert of
 * another source the whole condition is false (test/core/rules/expressions.test.ts pins this of cel-js).
 */
function requiredSourceOf(ast: unknown): string | null {
  for (const c of conjuncts(ast)) {
    const n = c as { op?: unknown; args?: unknown[] } | null;
    if (n === null || typeof n !== 'object' || n.op !== '==' || !Array.isArray(n.args) || n.args.length !== 2) continue;
    const [l, r] = n.args;
    const name = isAlertSource(l) ? stringLiteral(r) : isAlertSource(r) ? stringLiteral(l) : null;
    if (name !== null) return name;
  }
  return null;
}

/**
 * Parses an expression once (throws the parse or type error as an Error with a one-line message). The returned
 * evaluator turns every runtime error (missing key, wrong type) into `{ ok: false, error }`.
 */
export function compileExpression(source: string, scope: ExpressionScope = 'condition'): CompiledExpression {
  const problem = checkExpression(source, 'any', scope);
  if (problem) throw ConfigError.problem(problem);
  const fn = environmentOf(scope).parse(source);
  return {
    source,
    requiredSource: scope === 'condition' ? requiredSourceOf(fn.ast) : null,
    evaluate(activation) {
      try {
        return { ok: true, value: fn(activation as Record<string, unknown>) as unknown };
      } catch (err) {
        return { ok: false, error: firstLine(err instanceof Error ? err.message : String(err)) };
      }
    },
  };
}

/**
 * A CEL result as a string: strings as they are; ints, doubles and bools in their usual spelling; timestamps as ISO.
 * Null, lists, maps and bytes are not strings: returns null.
 */
export function celToString(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value;
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : null;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
      return null;
  }
}

/** Names the CEL type of a JavaScript value, for error messages. */
export function celTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'double';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value === 'string' ? 'string' : 'bool';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Date) return 'timestamp';
  return 'map';
}

export function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
