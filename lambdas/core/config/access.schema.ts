/**
 * The `access:` section of the pipeline config (who may use the human API, docs/deploy.md §Identity) and the
 * identity fields of a person. In AWS, API Gateway verifies the JWT (a Cognito user pool the stack creates, or an
 * external OIDC issuer); the handler maps the token's claims to a role (core/access/identity.ts).
 */
import * as z from 'zod/mini';
import { ROLES, type Role } from '../access/roles';

const httpsUrl = z.url({ protocol: /^https$/, error: 'expected an https:// URL' });
const callbackUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' });
const groupOrScope = z.string().check(z.minLength(1), z.maxLength(256));
const clientName = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "." and "-"'));

/** The resource server of the machine clients' scopes in Cognito mode: `alert-pipeline/read`, `/respond`, `/admin`. */
export const RESOURCE_SERVER = 'alert-pipeline';
/** The scope of each role on the resource server (a machine client of a role gets its scope and those below). */
export const ROLE_SCOPES: Record<Role, string> = { viewer: 'read', responder: 'respond', admin: 'admin' };

/** Default mapping of groups and scopes to roles: Cognito groups named after the roles, and the resource server's scopes. */
export const DEFAULT_ROLE_MAPPING: Record<Role, string[]> = {
  viewer: ['viewer', `${RESOURCE_SERVER}/${ROLE_SCOPES.viewer}`],
  responder: ['responder', `${RESOURCE_SERVER}/${ROLE_SCOPES.responder}`],
  admin: ['admin', `${RESOURCE_SERVER}/${ROLE_SCOPES.admin}`],
};

const CognitoSchema = z.strictObject({
  /**
   * Prefix of the hosted sign-in domain `<prefix>-<stage>.auth.<region>.amazoncognito.com` (unique per Region; the
   * stage is appended, so stages can share an account and Region).
   */
  domainPrefix: z.string().check(z.regex(/^[a-z0-9](?:[a-z0-9-]{0,40}[a-z0-9])?$/, 'lowercase letters, digits and "-", 1 to 42 characters'),
    z.refine((s) => !/aws|amazon|cognito/.test(s), 'may not contain "aws", "amazon" or "cognito"')),
  /** Multi-factor authentication (TOTP): `required` for everyone, `optional` (each user may turn it on). */
  mfa: z._default(z.enum(['optional', 'required']), 'required'),
  /** Cognito threat protection (Plus feature plan, billed per user): full function (block risky sign-ins). */
  threatProtection: z._default(z.boolean(), false),
  /** Where the console's sign-in returns to (the console's URL); the stack adds the console it hosts. */
  callbackUrls: z._default(z.array(callbackUrl), []),
  logoutUrls: z._default(z.array(callbackUrl), []),
});

const OidcSchema = z.strictObject({
  /** The issuer URL (`iss` of the tokens); its `/.well-known/openid-configuration` must be public. */
  issuer: httpsUrl,
  /** Accepted audiences (`aud`, or `client_id` of access tokens): the console's client id, the API's audience. */
  audiences: z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1), z.maxLength(20)),
  /** The console's client id at the issuer (public client, authorization code + PKCE). Default: the first audience. */
  consoleClientId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  /** Scopes the console asks for. */
  scopes: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(256))), ['openid', 'email', 'profile']),
});

const MachineClientSchema = z.strictObject({
  /** Recorded as the actor of its writes. */
  name: clientName,
  role: z.enum(ROLES),
  /** OIDC: the issuer's client id of this machine client (`client_id`, `cid`, `azp` or `appid` claim). Cognito: the stack creates the client. */
  clientId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
});

export const AccessConfigSchema = z.strictObject({
  provider: z.enum(['cognito', 'oidc']),
  cognito: z.optional(CognitoSchema),
  oidc: z.optional(OidcSchema),
  /** The claim with the user's groups (Okta, Entra ID: `groups`; or `roles`). `cognito:groups` is always read too. */
  groupsClaim: z._default(z.string().check(z.minLength(1), z.maxLength(128)), 'groups'),
  /** Groups or scopes that give each role (the highest matching role wins). */
  roles: z._default(z.strictObject({
    viewer: z._default(z.array(groupOrScope), DEFAULT_ROLE_MAPPING.viewer),
    responder: z._default(z.array(groupOrScope), DEFAULT_ROLE_MAPPING.responder),
    admin: z._default(z.array(groupOrScope), DEFAULT_ROLE_MAPPING.admin),
  }), DEFAULT_ROLE_MAPPING),
  /** Automation: Cognito app clients with the client-credentials grant the stack creates, or the issuer's clients. */
  machineClients: z._default(z.array(MachineClientSchema), []),
}).check(z.superRefine((a, ctx) => {
  const issue = (path: PropertyKey[], message: string) => ctx.issues.push({ code: 'custom', message, path, input: a });
  if (a.provider === 'cognito' && !a.cognito) issue(['cognito'], 'provider cognito needs a cognito section (domainPrefix at least)');
  if (a.provider === 'oidc' && !a.oidc) issue(['oidc'], 'provider oidc needs an oidc section (issuer, audiences)');
  if (a.provider === 'cognito' && a.oidc) issue(['oidc'], 'only with provider oidc');
  if (a.provider === 'oidc' && a.cognito) issue(['cognito'], 'only with provider cognito');
  const seen = new Set<string>();
  a.machineClients.forEach((m, i) => {
    if (seen.has(m.name)) issue(['machineClients', i, 'name'], `duplicate name "${m.name}"`);
    seen.add(m.name);
    if (a.provider === 'oidc' && !m.clientId) issue(['machineClients', i, 'clientId'], 'an external issuer\'s machine client is matched by its client id');
    if (a.provider === 'cognito' && m.clientId) issue(['machineClients', i, 'clientId'], 'Cognito machine clients are created by the stack: no clientId');
  });
}));

export type AccessConfig = z.output<typeof AccessConfigSchema>;

/** The fields a person gets for the API: a role, and how a token names them (besides `cognito:username` = name). */
export const PERSON_ACCESS_SHAPE = {
  /** Their role in the API; wins over the token's groups and scopes. Default: from the token, else viewer. */
  role: z.optional(z.enum(ROLES)),
  identity: z.optional(z.strictObject({
    /** The `email` claim (compared case-insensitively). */
    email: z.optional(z.email()),
    /** The `sub` claim (stable id at the issuer). */
    subject: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  })),
};
