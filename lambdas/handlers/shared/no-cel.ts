/**
 * `@marcbachmann/cel-js` in the bundles of the functions whose only CEL is the webhook mapping (`celOnlyForWebhooks`
 * in the function table), built for a config without webhooks (lib/constructs/defaults.ts `bundleAliases`). Those
 * functions never load the mapping then (core/normalize/webhook.ts loads it only for a config with webhooks), so
 * the ~80 KB of CEL would only be compiled at every cold start. A call would fail loudly: deploy again.
 */
import { ConfigError } from '../../core/errors';

export class Environment {
  constructor() {
    throw ConfigError.problem('this function was built for a config without webhooks, so without CEL: deploy again');
  }
}
