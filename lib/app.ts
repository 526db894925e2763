/**
 * The CDK app: the stateful data stack, the stateless pipeline stack on top of it, and cdk-nag's AwsSolutions
 * checks. bin/alert-pipeline.ts reads the config file and calls createApp; tests call it in-process.
 */
import { App, Tags, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PipelineConfig } from '../lambdas/core/config/pipeline-config.schema';
import { checkDeployConstraints } from './config/load-pipeline-config';
import { STAGE_CONTEXT_KEY, StageNames } from './config/stage';
import { AlertDataStack } from './stacks/alert-data-stack';
import { AlertPipelineStack } from './stacks/alert-pipeline-stack';
import { InvariantError } from '../lambdas/core/errors';

export interface CreateAppProps {
  /**
   * An existing App (bin/ creates one first to read CLI context). Mutually exclusive with `appProps`.
   * @default - a new App built from `appProps`
   */
  readonly app?: App;
  /**
   * Props of the new App (tests: context, outdir).
   * @default {}
   */
  readonly appProps?: AppProps;
  /**
   * Account and Region of both stacks.
   * @default - environment-agnostic stacks
   */
  readonly env?: Environment;
  /**
   * Run cdk-nag AwsSolutions checks at synth; violations fail synthesis.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * The stage (lower-case letters, digits, hyphens): prefixes stack, secret, parameter and export names.
   * @default - the `stage` CDK context (`-c stage=prod`), else `dev`
   */
  readonly stage?: string;
}

export interface AlertPipelineApp {
  readonly app: App;
  readonly dataStack: AlertDataStack;
  readonly pipelineStack: AlertPipelineStack;
  /** The stage's names (stacks, secrets, parameters, exports) and tags. */
  readonly names: StageNames;
}

/** Base names of the two stacks; the stack ids and names are `<stage>-<base>` (StageNames.stackName). */
export const DATA_STACK_ID = 'AlertDataStack';
export const PIPELINE_STACK_ID = 'AlertPipelineStack';

export function createApp(config: PipelineConfig, props: CreateAppProps = {}): AlertPipelineApp {
  if (props.app && props.appProps) throw new InvariantError('createApp: pass either app or appProps, not both');
  checkDeployConstraints(config);
  const app = props.app ?? new App(props.appProps);
  const names = StageNames.register(app, props.stage ?? app.node.tryGetContext(STAGE_CONTEXT_KEY));
  // On the stacks themselves (CloudFormation also propagates them to what CDK cannot tag) and on every resource.
  const tags = names.tags(config.deployment.owner);

  const dataStack = new AlertDataStack(app, names.stackName(DATA_STACK_ID), {
    env: props.env,
    tags,
    description: `Alert pipeline (${names.stage}): stateful resources (incident table, raw archive, tokens, link key); retained on delete`,
    pipelineConfig: config,
  });
  // No token crosses from one stack to the other: the pipeline stack reads the data stack's names from SSM
  // parameters and names its secrets by their stable names, so either stack can change without an export blocking it.
  const pipelineStack = new AlertPipelineStack(app, names.stackName(PIPELINE_STACK_ID), {
    env: props.env,
    tags,
    description: `Alert pipeline (${names.stage}): ingestion API, queue, processors, alarm topic (stateless)`,
    pipelineConfig: config,
  });
  pipelineStack.addStackDependency(dataStack, 'reads the SSM parameters and secrets of the data stack');

  for (const [key, value] of Object.entries(tags)) Tags.of(app).add(key, value);
  if (props.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, dataStack, pipelineStack, names };
}
