/**
 * Typed errors: what used to be a bare Error now says what kind of failure it is, so the one error mapper
 * (handlers/shared/http.ts) answers 500 for a config or invariant problem and 503 where retries ran out.
 */
import { ConfigError, InvariantError, TransientError } from '../../lambdas/core/errors';
import { compileSchedule } from '../../lambdas/core/rules/maintenance';
import { compileExpression } from '../../lambdas/core/rules/expressions';
import { relativeMs } from '../../lambdas/core/simulate/golden';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import { unpackBody } from '../../lambdas/adapters/dynamodb/compact';
import { errorResponse } from '../../lambdas/handlers/shared/http';

describe('typed errors', () => {
  it('a maintenance window with bad timing is a ConfigError whose message is the problem itself', () => {
    const bad = () => compileSchedule({ name: 'w', services: [], when: null, start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/^maintenance window "w": end must be after start$/);
  });

  it('an expression that does not parse is a ConfigError', () => {
    expect(() => compileExpression('alert.severity ==')).toThrow(ConfigError);
  });

  it('a golden file time that is not a relative time is a ConfigError', () => {
    expect(() => relativeMs('ten minutes')).toThrow(ConfigError);
  });

  it('a broken internal contract is an InvariantError (500), not a client error', async () => {
    await expect(new InMemoryOperationsStore().listOverrides()).rejects.toThrow(InvariantError);
    expect(() => unpackBody(new Uint8Array([250, 1, 2]))).toThrow(InvariantError);
    expect(errorResponse(new InvariantError('x')).statusCode).toBe(500);
  });

  it('retries that ran out are a TransientError (503)', () => {
    const res = errorResponse(new TransientError('gave up'));
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.message).toBe('temporarily unavailable, retry');
  });
});
