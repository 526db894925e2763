/** EscalationTransport on AWS: Step Functions executions, and a Lambda event invoke for single-step plans. */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ExecutionAlreadyExists, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { EscalationState } from '../../core/escalation/plan';
import type { EscalationTransport } from '../../core/ports';

/** `arn:aws:states:<region>:<account>:stateMachine:<name>` -> the ARN of one of its executions. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * Largest inline-page payload sent with the incident it carries: Lambda takes up to 1 MB asynchronously; above this
 * the incident is left out and the page reads it (one more read, never a failed invoke and a lost page).
 */
export const INLINE_PAGE_MAX_PAYLOAD_BYTES = 900 * 1024;

export class StepFunctionsTransport implements EscalationTransport {
  constructor(
    private readonly sfn: SFNClient,
    private readonly lambda: LambdaClient,
    private readonly stateMachineArn: string,
    private readonly escalationFunctionName: string,
  ) {}

  async startExecution(name: string, state: EscalationState): Promise<void> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(state) }));
    } catch (err) {
      // Same name already started (a redelivery): the escalation is running, which is what was asked.
      if (err instanceof ExecutionAlreadyExists || (err as { name?: string }).name === 'ExecutionAlreadyExists') return;
      throw err;
    }
  }

  async stopExecution(name: string, reason: string): Promise<void> {
    try {
      await this.sfn.send(new StopExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, name), cause: reason.slice(0, 32_000) }));
    } catch (err) {
      const n = (err as { name?: string }).name;
      if (n === 'ExecutionDoesNotExist' || n === 'ValidationException') return; // never started, or finished
      throw err;
    }
  }

  async pageInline(state: EscalationState): Promise<void> {
    let payload = Buffer.from(JSON.stringify(state));
    if (payload.length > INLINE_PAGE_MAX_PAYLOAD_BYTES && state.incident !== undefined) {
      const { incident: _carried, ...withoutIncident } = state;
      payload = Buffer.from(JSON.stringify(withoutIncident));
    }
    await this.lambda.send(new InvokeCommand({ FunctionName: this.escalationFunctionName, InvocationType: 'Event', Payload: payload }));
  }
}
