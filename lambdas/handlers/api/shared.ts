/** What the resource modules of the human API share: their dependencies, body parsing, the actor, the public view. */
import * as z from 'zod/mini';
import type { Incident } from '../../core/model/incident';
import type { PostmortemStore, PublishedDocuments, RawArchive, RollupStore, StatusStore } from '../../core/ports';
import { parseWith } from '../../core/normalize/shared';
import type { IncidentOperationsDeps } from '../shared/escalation';
import { API_MAX_BODY_BYTES } from '../routes';
import { parseJson, readBody, type HttpEvent, type RouteHandlers } from '../shared/http';
import { identityOf } from '../shared/identity';
import { requireRole, type Identity } from '../../core/access/identity';
import type { Role } from '../../core/access/roles';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { InvalidPayloadError, InvariantError } from '../../core/errors';

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

/** A resource of the API: its routes (keyed by route key, as in routes.ts) over the API's dependencies. */
export type ApiResource = (deps: ApiDeps) => RouteHandlers;

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
