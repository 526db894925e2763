/**
 * StatusNotifier on AWS: an asynchronous (Event) invoke of the status-render function, so the processor, the API and
 * the sweeper never wait for a render. No function name (no status page configured) = nothing to notify.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { StatusNotifier } from '../../core/ports';

export class LambdaStatusNotifier implements StatusNotifier {
  constructor(private readonly lambda: LambdaClient, private readonly functionName: string) {}

  async statusMayHaveChanged(reason: string): Promise<void> {
    if (!this.functionName) return;
    await this.lambda.send(new InvokeCommand({
      FunctionName: this.functionName,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify({ source: 'alert-pipeline', reason })),
    }));
  }
}
