/**
 * PipelineFunction: the house NodejsFunction. Every Lambda function of the pipeline is one of these, so runtime,
 * architecture, bundling, tracing, logging and IAM look the same everywhere and are reviewed once.
 */
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Tracing, type CfnFunction, type IDestination } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { ARCHITECTURE, bundlingOptions, FUNCTION_DEFAULTS, FUNCTION_LOGGING, NODE_RUNTIME } from './defaults';

/** What active tracing needs (the Lambda service's own list for Tracing.ACTIVE). */
export const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

/** The repository root: handler entries and the lockfile are resolved from here, whatever the cwd. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface PipelineFunctionProps {
  /** Handler file, relative to the repository root (e.g. `lambdas/handlers/api.ts`). */
  readonly entry: string;
  /** The validated pipeline config, inlined into the bundle as `process.env.PIPELINE_CONFIG_JSON`. */
  readonly pipelineConfig: PipelineConfig;
  /**
   * CEL reaches the function only through the webhook mapping: without webhooks in the config, CEL is left out.
   * @default false
   */
  readonly celOnlyForWebhooks?: boolean;
  /**
   * X-Ray tracing mode of the function (`pass-through`: only invocations whose caller's trace is sampled).
   * @default 'active'
   */
  readonly tracing?: 'active' | 'pass-through';
  /**
   * Environment variables (names from `lambdas/handlers/shared/env-names.ts`).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Timeout.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Description shown in the Lambda console.
   * @default - none
   */
  readonly description?: string;
  /**
   * Where failed asynchronous invocations (after Lambda's 2 retries) are sent. Only for functions invoked
   * asynchronously (SNS, EventBridge).
   * @default - no dead-letter queue
   */
  readonly deadLetterQueue?: IQueue;
  /**
   * On-failure destination for asynchronous invocations.
   * @default - none
   */
  readonly onFailure?: IDestination;
}

export class PipelineFunction extends Construct implements iam.IGrantable {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly role: iam.Role;
  public readonly timeout: Duration;
  /** The X-Ray statement of active tracing (the only Resource "*" of a function). */
  public readonly tracingPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? FUNCTION_DEFAULTS.timeout;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? FUNCTION_DEFAULTS.logRetention,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole (cdk-nag IAM4): the function may write to its own log
    // group only, not to every log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: ARCHITECTURE,
      memorySize: props.memorySize ?? FUNCTION_DEFAULTS.memorySize,
      timeout: this.timeout,
      description: props.description,
      environment: { ...props.environment },
      // Active tracing is set on the L1 below: Tracing.ACTIVE would add the X-Ray statement (Resource "*") to the
      // role's default policy, where its acknowledgement would also hide any other "*" grant.
      tracing: Tracing.DISABLED,
      logGroup: this.logGroup,
      loggingFormat: FUNCTION_LOGGING.loggingFormat,
      applicationLogLevelV2: FUNCTION_LOGGING.applicationLogLevel,
      systemLogLevelV2: FUNCTION_LOGGING.systemLogLevel,
      role: this.role,
      deadLetterQueue: props.deadLetterQueue,
      onFailure: props.onFailure,
      bundling: bundlingOptions(props.pipelineConfig, { celOnlyForWebhooks: props.celOnlyForWebhooks }),
    });

    (this.function.node.defaultChild as CfnFunction).tracingConfig = { mode: props.tracing === 'pass-through' ? 'PassThrough' : 'Active' };
    // X-Ray in a policy of its own, and the one acknowledgement of Resource "*" on that policy only: a "*" in any
    // other grant of the function still fails cdk-nag.
    this.tracingPolicy = new iam.Policy(this, 'TracingPolicy', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({ actions: [...XRAY_ACTIONS], resources: ['*'] })],
    });
    this.function.node.addDependency(this.tracingPolicy);
    Validations.of(this.tracingPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so X-Ray requires Resource "*". ' +
        'This policy holds these two actions only.',
    });
  }

  public get grantPrincipal(): iam.IPrincipal {
    return this.role;
  }

  /** Sets an environment variable after creation (for values that exist only after the function does). */
  public addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
