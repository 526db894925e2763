/**
 * Imported first by bench/run.ts: quiet logs for the runtimes started in the benchmark process (the escalation
 * measurements) and no SDK Node-version warning. Must run before any handler module creates its logger.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
