/**
 * Error hierarchy of the pipeline. Every error names itself and says whether a retry can help, so one place
 * (the handler middleware) maps errors to HTTP statuses, batch item failures or dead letters.
 */
export class AlertPipelineError extends Error {
  /** Whether trying the same operation again may succeed. */
  readonly retryable: boolean;
  /** Stable machine-readable code, used in HTTP error bodies and logs. */
  readonly code: string;
  readonly details: unknown;

  constructor(message: string, options: { code: string; retryable: boolean; details?: unknown; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'AlertPipelineError';
    this.code = options.code;
    this.retryable = options.retryable;
    this.details = options.details;
  }
}

/** One problem with a payload: the JSON path of the field and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A body that is not a valid payload of its source. Never retryable: a retry cannot fix it. */
export class InvalidPayloadError extends AlertPipelineError {
  readonly issues: FieldIssue[];
  constructor(rawIssues: FieldIssue[], options: { cause?: unknown } = {}) {
    // An empty path means the body itself.
    const issues = rawIssues.map((i) => (i.path ? i : { ...i, path: '(body)' }));
    const first = issues[0];
    const summary = first ? `${first.path}: ${first.message}` : 'invalid payload';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`invalid payload: ${summary}${more}`, {
      code: 'invalid_payload',
      retryable: false,
      details: { issues },
      cause: options.cause,
    });
    this.name = 'InvalidPayloadError';
    this.issues = issues;
  }
}

/** A body larger than the source allows. */
export class PayloadTooLargeError extends AlertPipelineError {
  constructor(size: number, limit: number) {
    super(`payload of ${size} bytes exceeds the limit of ${limit} bytes`, {
      code: 'payload_too_large',
      retryable: false,
      details: { size, limit },
    });
    this.name = 'PayloadTooLargeError';
  }
}

/** The sender is not who it claims to be (bad SNS signature, topic not allowed, bad token). */
export class AuthenticationError extends AlertPipelineError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'unauthenticated', retryable: false, cause: options.cause });
    this.name = 'AuthenticationError';
  }
}

/** The caller is who they say, but lacks the role a route needs (`403 forbidden`, the role named). */
export class ForbiddenError extends AlertPipelineError {
  constructor(message: string, details?: unknown) {
    super(message, { code: 'forbidden', retryable: false, details });
    this.name = 'ForbiddenError';
  }
}

/** A named thing does not exist (unknown ingest token, unknown incident id). */
export class NotFoundError extends AlertPipelineError {
  constructor(message: string) {
    super(message, { code: 'not_found', retryable: false });
    this.name = 'NotFoundError';
  }
}

/** A request that conflicts with the current state (acknowledging a resolved incident). */
export class ConflictError extends AlertPipelineError {
  constructor(message: string, details?: unknown) {
    super(message, { code: 'conflict', retryable: false, details });
    this.name = 'ConflictError';
  }
}

/** A bad request to the human API (unknown filter value, malformed cursor). */
export class BadRequestError extends AlertPipelineError {
  constructor(message: string, details?: unknown) {
    super(message, { code: 'bad_request', retryable: false, details });
    this.name = 'BadRequestError';
  }
}

/** The configuration is invalid; the message names the path and the problem. */
export class ConfigError extends AlertPipelineError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], source = 'config', options: { message?: string; cause?: unknown } = {}) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n');
    super(options.message ?? `${source} is invalid:\n${lines}`, { code: 'invalid_config', retryable: false, details: { issues }, cause: options.cause });
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /**
   * One configuration problem whose message is the problem itself, without a path (the caller that knows where the
   * value came from adds it): a maintenance window's timing, a rule expression, a missing deployment setting.
   */
  static problem(message: string, options: { cause?: unknown } = {}): ConfigError {
    return new ConfigError([{ path: '', message }], 'config', { message, ...options });
  }
}

/** A transient failure of a dependency (store throttled, queue unavailable). Retrying may succeed. */
export class TransientError extends AlertPipelineError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'unavailable', retryable: true, cause: options.cause });
    this.name = 'TransientError';
  }
}

/**
 * A broken internal invariant: a state the code never creates (an id it did not issue, a dictionary it never wrote,
 * a construct wired wrongly). A bug or corrupted data, not the caller's fault; never retryable.
 */
export class InvariantError extends AlertPipelineError {
  constructor(message: string, details?: unknown) {
    super(message, { code: 'internal', retryable: false, details });
    this.name = 'InvariantError';
  }
}

/** Formats a JSON path array as `alerts[0].severity`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
