/** What the resource modules of the human API share: their dependencies, body parsing, the actor, the public view. */
import * as z from 'zod/mini';
import type { Incident } from '../../core/model/incident';
import type { PostmortemStore, PublishedDocuments, RawArchive, RollupStore, StatusStore } from '../../core/ports';
import { parseWith } from '../../core/normalize/shared';
import type { IncidentOperationsDeps } from '../shared/escalation';
import { API_MAX_BODY_BYTES, roleOf } from '../api-routes';
import { httpHandler, parseJson, readBody, type HttpEvent, type RouteHandlers } from '../shared/http';
import { identityOf } from '../shared/identity';
import { requireRole, type Identity } from '../../core/access/identity';
import type { Role } from '../../core/access/roles';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { InvalidPayloadError, InvariantError } from '../../core/errors';

/**
 * Everything the resources of the human API may use. Each resource declares the part it uses (`ApiResource<Pick<…>>`),
 * so each API function (one per route group, routes.ts) builds only the adapters, AWS clients and grants of its own
 * resources; the local runtime passes the whole set to all three.
 */
export interface ApiDeps extends IncidentOperationsDeps {
  /** Public base URL of the API, for calendar feed URLs. */
  publicBaseUrl: string;
  newId(): string;
  /** The status page's store; without it the status routes answer 404. */
  status?: StatusStore;
  /** Runs after every status write (locally: re-render the status site; in AWS: nothing yet, see docs/status-page.md). */
  onStatusWrite?(): Promise<void> | void;
  postmortems: PostmortemStore;
  /** Where published postmortems are stored. */
  documents: PublishedDocuments;
  /** Rollups of resolved incidents, which analytics read (docs/insights.md §Rollups). */
  rollups: RollupStore;
  /** The raw archive, read for an alert's raw payload (S3 GetObject under raw/ in AWS, the data folder locally). */
  rawArchive: Pick<RawArchive, 'get'>;
}

/** A resource of the API: its routes (keyed by route key, as in routes.ts) over the part `D` of the API's dependencies. */
export type ApiResource<D = ApiDeps> = (deps: D) => RouteHandlers;

/**
 * The route table of `resources`, each route behind the check of the role routes.ts declares for it (403 naming the
 * role); a route key declared twice, or without a role, is a programming error.
 */
export function apiRoutes<D extends Pick<ApiDeps, 'config'>>(deps: D, resources: readonly ApiResource<D>[]): RouteHandlers {
  const table: RouteHandlers = {};
  for (const resource of resources) {
    for (const [key, handle] of Object.entries(resource(deps))) {
      if (key in table) throw new InvariantError(`API route ${key} is declared by two resources`);
      const role = roleOf(key);
      if (!role) throw new InvariantError(`API route ${key} declares no role in routes.ts`);
      table[key] = guardRoute(handle, role, () => deps.config);
    }
  }
  return table;
}

/** The HTTP handler of an API function: its resources' routes; `afterWrite` after every write (the status notifier). */
export function createApiFunctionHandler<D extends Pick<ApiDeps, 'config' | 'statusNotifier'>>(deps: D, resources: readonly ApiResource<D>[]) {
  const notifier = deps.statusNotifier;
  return httpHandler(apiRoutes(deps, resources), { afterWrite: notifier ? () => notifier.statusMayHaveChanged('api') : undefined });
}

export const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date or time'));

/** The JSON body checked against `schema`; an empty body is `{}` when the body is optional. */
export function bodyOf<S extends z.ZodMiniType>(event: HttpEvent, schema: S, optional: boolean): z.infer<S> {
  const text = readBody(event, API_MAX_BODY_BYTES);
  if (text.trim() === '' && optional) return parseWith(schema, {});
  return parseWith(schema, parseJson(text));
}

/** The identity the router checked for each request it let through (`guardRoute`). */
const checked = new WeakMap<HttpEvent, Identity>();

/**
 * Wraps a route: the caller must have `role` (403 naming it otherwise) before the route runs; the route reads the
 * caller with `identityOfRequest` and `actorOf`.
 */
export function guardRoute(handle: RouteHandlers[string], role: Role, config: () => Pick<PipelineConfig, 'access' | 'people'>): RouteHandlers[string] {
  return async (event) => {
    const identity = identityOf(event, config());
    requireRole(identity, role);
    checked.set(event, identity);
    return handle(event);
  };
}

export function identityOfRequest(event: HttpEvent): Identity {
  const identity = checked.get(event);
  if (!identity) throw new InvariantError('a route ran without the router checking its caller');
  return identity;
}

/**
 * Who acts, for the timeline: the caller from the token. `by` (someone the caller acts for) is accepted only from the
 * API token and machine clients, recorded as `<caller>:<by>`; a person may only name themselves (400 naming `by`).
 */
export function actorOf(event: HttpEvent, by: string | undefined): string {
  const { actor, via } = identityOfRequest(event);
  if (!by || by === actor) return actor;
  if (via === 'api-token' || via === 'machine') return `${actor}:${by}`;
  throw new InvalidPayloadError([{ path: 'by', message: `a person acts as themselves (${actor}); only the API token and machine clients may act for someone` }]);
}

/** The incident as the API shows it: without the internal idempotency ring. */
export function publicIncident(inc: Incident) {
  const { recentMessages: _r, ...rest } = inc;
  return rest;
}
