/**
 * The escalation state machine's state names, apart from its construct (no aws-cdk-lib import), so the local
 * runtime can map its Task handlers and wait overrides by name without loading the CDK.
 */

/** State names: the local runtime maps its Task handler by name, so they are part of the contract. */
export const ESCALATION_STATES = {
  wait: 'Wait', page: 'Page', choice: 'Continue?', done: 'Done', recordFailure: 'Record page failure', failed: 'Page failed',
} as const;
