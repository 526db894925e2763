import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsTransport, INLINE_PAGE_MAX_PAYLOAD_BYTES } from '../../lambdas/adapters/sfn/step-functions-transport';
import type { EscalationState } from '../../lambdas/core/escalation/plan';
import type { Incident } from '../../lambdas/core/model/incident';

/** A recording stand-in for an AWS SDK client (mocks only in unit tests of AWS adapters). */
function recording<T>() {
  const inputs: Array<Record<string, unknown>> = [];
  const client = { send: async (command: { input: Record<string, unknown> }) => void inputs.push(command.input) } as unknown as T;
  return { client, inputs };
}

const state = (incident: Partial<Incident>): EscalationState =>
  ({ incidentId: 'inc-1', plan: { policy: 'p', levels: [], repeat: 0, holdSeconds: 0 }, step: 0, waitSeconds: 0, done: false, incident }) as unknown as EscalationState;

describe('StepFunctionsTransport.pageInline', () => {
  const payloadOf = (input: Record<string, unknown>) => JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'));

  it('invokes the page function asynchronously with the incident the processor wrote', async () => {
    const lambda = recording<LambdaClient>();
    await new StepFunctionsTransport(recording<SFNClient>().client, lambda.client, 'arn:sm', 'page-fn').pageInline(state({ id: 'inc-1', title: 't' }));
    expect(lambda.inputs[0]).toMatchObject({ FunctionName: 'page-fn', InvocationType: 'Event' });
    expect(payloadOf(lambda.inputs[0]!).incident).toEqual({ id: 'inc-1', title: 't' });
  });

  it("leaves the incident out when the payload would pass Lambda's asynchronous limit: the page reads it instead", async () => {
    const lambda = recording<LambdaClient>();
    const big = state({ id: 'inc-1', description: 'x'.repeat(INLINE_PAGE_MAX_PAYLOAD_BYTES) });
    await new StepFunctionsTransport(recording<SFNClient>().client, lambda.client, 'arn:sm', 'page-fn').pageInline(big);
    const payload = payloadOf(lambda.inputs[0]!);
    expect(payload.incident).toBeUndefined();
    expect(payload.incidentId).toBe('inc-1');
    expect((lambda.inputs[0]!.Payload as Uint8Array).length).toBeLessThan(INLINE_PAGE_MAX_PAYLOAD_BYTES);
  });
});
