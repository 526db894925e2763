// Jest setup: runs before every test file.
// The CloudFormation validation plugin costs ~2.5 s per test file; cdk-nag still runs without it (docs/toolchain.md §CDK validation in tests).
process.env.CDK_VALIDATION = 'false';
// No Promise.withResolvers polyfill here: lambdas/local/escalation-runner.ts loads it itself, so tests see what
// `npm start` sees.
// Tests never reach AWS: dummy credentials and region for the SDK clients pointed at embedded services.
process.env.AWS_REGION = process.env.AWS_REGION || 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = process.env.AWS_ACCESS_KEY_ID || 'test';
process.env.AWS_SECRET_ACCESS_KEY = process.env.AWS_SECRET_ACCESS_KEY || 'test';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL || 'SILENT';
