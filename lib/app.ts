/**
 * The CDK app: the stateful data stack, the stateless pipeline stack on top of it, and cdk-nag's AwsSolutions
 * checks. bin/alert-pipeline.ts reads the config file and calls createApp; tests call it in-process.
 */
import { App, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PipelineConfig } from '../lambdas/core/config/pipeline-config.schema';
import { checkDeployConstraints } from './config/load-pipeline-config';
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
}

export interface AlertPipelineApp {
  readonly app: App;
  readonly dataStack: AlertDataStack;
  readonly pipelineStack: AlertPipelineStack;
}

export const DATA_STACK_ID = 'AlertDataStack';
export const PIPELINE_STACK_ID = 'AlertPipelineStack';

export function createApp(config: PipelineConfig, props: CreateAppProps = {}): AlertPipelineApp {
  if (props.app && props.appProps) throw new InvariantError('createApp: pass either app or appProps, not both');
  checkDeployConstraints(config);
  const app = props.app ?? new App(props.appProps);

  const dataStack = new AlertDataStack(app, DATA_STACK_ID, {
    env: props.env,
    description: 'Alert pipeline: stateful resources (incident table, raw archive); retained on delete',
  });
  const pipelineStack = new AlertPipelineStack(app, PIPELINE_STACK_ID, {
    env: props.env,
    description: 'Alert pipeline: ingestion API, queue, processors, alarm topic (stateless)',
    pipelineConfig: config,
    table: dataStack.table,
    archiveBucket: dataStack.archiveBucket,
  });

  if (props.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, dataStack, pipelineStack };
}
