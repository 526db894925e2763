/**
 * The condition language of rules: CEL (Common Expression Language) through @marcbachmann/cel-js. Safe (no
 * `eval`, no loops, no I/O), compiled once, type-checked when the config is loaded (so `cdk synth` fails on a bad
 * expression). See docs/rules.md for why CEL and which variables an expression sees.
 */
import { Environment } from '@marcbachmann/cel-js';

/** What a rule condition sees. */
export const CONDITION_VARIABLES = {
  /** The normalized alert: source, title, description, severity, sourceSeverity, action, resource, labels, ... */
  alert: 'map',
  /** Tags so far (tagging rules run in order; later rules see earlier tags). */
  tags: 'map',
  /** The alert's own raw payload (one Threat Stack alert, the parsed CloudWatch message, ...). */
  payload: 'dyn',
} as const;

let environment: Environment | undefined;

/** The shared CEL environment with the condition variables declared. */
export function conditionEnvironment(): Environment {
  if (!environment) {
    let env = new Environment();
    for (const [name, type] of Object.entries(CONDITION_VARIABLES)) env = env.registerVariable(name, type);
    environment = env;
  }
  return environment;
}

/**
 * Checks an expression: parses and type-checks it against the declared variables. Returns null when it is fine, or
 * a one-line problem. `expected` is the result type the rule needs (`bool` for conditions, `string` for templates).
 */
export function checkExpression(expression: string, expected: 'bool' | 'string' | 'any'): string | null {
  let result: { valid: boolean; type?: string; error?: unknown };
  try {
    result = conditionEnvironment().check(expression) as typeof result;
  } catch (err) {
    return firstLine((err as Error).message);
  }
  if (!result.valid) return firstLine(String((result.error as Error | undefined)?.message ?? result.error ?? 'invalid expression'));
  if (expected !== 'any' && result.type && result.type !== expected && result.type !== 'dyn') {
    return `must be a ${expected} expression, but it is ${result.type}`;
  }
  return null;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
