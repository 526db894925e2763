/**
 * Stages: one deployment of the pipeline per stage name (`-c stage=prod`, default `dev`), so several stages share an
 * account and Region. Every name that must be unique in an account and Region comes from here: stack names, secret
 * names (and the channel-secret prefix), SSM parameter names, export names. Constructs read the names of their app
 * with `StageNames.of(this)`; nothing else builds such a name by hand (docs/deploy.md §Stages).
 */
import type { IConstruct } from 'constructs';
import { ConfigError, InvariantError } from '../../lambdas/core/errors';

/** The stage of a synth without `-c stage=...`. */
export const DEFAULT_STAGE = 'dev';

/** The CDK context key of the stage (`cdk deploy --all -c stage=prod`). */
export const STAGE_CONTEXT_KEY = 'stage';

/** The application name: first part of every name, and the `application` tag. */
export const APPLICATION = 'alert-pipeline';

/**
 * Lower-case letters, digits and single hyphens, starting with a letter, at most 20 characters: valid in stack names,
 * secret names, SSM paths and export names, and short enough to leave room for the rest of each name.
 */
export const STAGE_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,19}$/;

/** The stage from CDK context (or a caller), validated; ConfigError names the problem. */
export function parseStage(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_STAGE;
  if (typeof value !== 'string' || !STAGE_PATTERN.test(value)) {
    throw new ConfigError(
      [{ path: 'stage', message: `invalid stage ${JSON.stringify(value)}: use lower-case letters, digits and single hyphens, starting with a letter, at most 20 characters (e.g. dev, prod, eu-prod)` }],
      'CDK context',
    );
  }
  return value;
}

const byApp = new WeakMap<IConstruct, StageNames>();

export class StageNames {
  /** The names of the app `scope` belongs to (set by createApp). */
  public static of(scope: IConstruct): StageNames {
    const names = byApp.get(scope.node.root);
    if (!names) throw new InvariantError(`${scope.node.path}: no stage registered for this app (build it with createApp)`);
    return names;
  }

  /** Registers the names of an app (createApp calls this once, before adding stacks). */
  public static register(app: IConstruct, stage: string): StageNames {
    const names = new StageNames(parseStage(stage));
    byApp.set(app, names);
    return names;
  }

  private constructor(public readonly stage: string) {}

  /** Stack id and name: `<stage>-<base>`, e.g. `prod-AlertDataStack`. */
  public stackName(base: string): string {
    return `${this.stage}-${base}`;
  }

  /** A Secrets Manager secret name: `alert-pipeline/<stage>/<name>`. */
  public secretName(name: string): string {
    return `${APPLICATION}/${this.stage}/${name}`;
  }

  /** Names of notification channel secrets start with this: `alert-pipeline/<stage>/channels/`. */
  public get channelSecretPrefix(): string {
    return this.secretName('channels/');
  }

  /** An SSM parameter name: `/alert-pipeline/<stage>/<name>`. */
  public parameterName(name: string): string {
    return `/${APPLICATION}/${this.stage}/${name}`;
  }

  /**
   * The name of a resource whose ARN others hold, so it must survive a re-create of its stack (the alarm topic,
   * which alarm actions name): `alert-pipeline-<stage>-<name>`.
   */
  public resourceName(name: string): string {
    return `${APPLICATION}-${this.stage}-${name}`;
  }

  /** A CloudFormation export name: `alert-pipeline-<stage>-<name>`. */
  public exportName(name: string): string {
    return `${APPLICATION}-${this.stage}-${name}`;
  }

  /** The tags of every resource of the app. */
  public tags(owner: string): Record<'application' | 'stage' | 'owner', string> {
    return { application: APPLICATION, stage: this.stage, owner };
  }
}
