/**
 * `deployment`: how the stacks are labelled and reached in AWS (docs/deploy.md §Stages, tags and lifecycle).
 * Read at `cdk synth` only; the functions and the local runtime ignore it.
 */
import * as z from 'zod/mini';

/** Tag values: AWS allows letters, digits, spaces and `_ . : / = + - @`, up to 256 characters. */
const tagValue = z.string().check(z.minLength(1), z.maxLength(256), z.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'use letters, digits, spaces and _ . : / = + - @'));

/** An optional custom domain of the HTTP API: a stable URL across redeploys of the pipeline stack. */
const DomainSchema = z.strictObject({
  /** The API's host name, e.g. `alerts.example.com`. */
  name: z.string().check(z.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'expected a lower-case host name such as alerts.example.com')),
  /** ACM certificate for `name`, in the stack's Region (a regional API endpoint). */
  certificateArn: z.string().check(z.regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, 'expected an ACM certificate ARN')),
  /** Route 53 hosted zone to add the alias record to (both or neither; without them, point your DNS at the output). */
  hostedZoneId: z.optional(z.string().check(z.regex(/^Z[A-Z0-9]{1,32}$/, 'expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ'))),
  hostedZoneName: z.optional(z.string().check(z.minLength(1), z.maxLength(253))),
});

export const DeploymentSchema = z
  .strictObject({
    /** The `owner` tag of every resource (a team, a cost centre). */
    owner: z._default(tagValue, 'unassigned'),
    domain: z.optional(DomainSchema),
  })
  .check(
    z.refine((d) => !d.domain || (d.domain.hostedZoneId === undefined) === (d.domain.hostedZoneName === undefined), {
      message: 'domain.hostedZoneId and domain.hostedZoneName go together',
      path: ['domain', 'hostedZoneId'],
    }),
  );

export const DEFAULT_DEPLOYMENT = { owner: 'unassigned' } as const;
