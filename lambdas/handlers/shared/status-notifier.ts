/** The AWS StatusNotifier, apart from the escalation (the API's admin function tells the status page without escalating). */
import type { StatusNotifier } from '../../core/ports';
import { LambdaStatusNotifier } from '../../adapters/lambda/lambda-status-notifier';
import { lambdaClient } from './aws';
import { env } from './env';

/** The status-render function, invoked asynchronously (does nothing when no status page is deployed). */
export function awsStatusNotifier(): StatusNotifier {
  return new LambdaStatusNotifier(lambdaClient(), env.statusRenderFunctionName());
}
