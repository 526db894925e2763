/**
 * The short-lived process that synthesizes the escalation state machine for the local runtime
 * (synthesized-state-machine.ts): receives the config over IPC, answers with the definition and every repository
 * source file the synthesis loaded (the cache's validity), then exits, taking aws-cdk-lib's memory with it.
 */
import { synthesize } from './synthesized-state-machine';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';

process.once('message', (config) => {
  synthesize(config as PipelineConfig)
    .then((result) => {
      const sources = Object.keys(require.cache).filter((p) => !p.includes('/node_modules/') && /\.[cm]?[jt]s$/.test(p));
      process.send!({ ok: true, result, sources }, () => process.exit(0));
    })
    .catch((err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)));
});
