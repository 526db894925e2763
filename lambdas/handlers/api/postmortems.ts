/**
 * API resource: postmortems (`/api/incidents/{id}/postmortem`; docs/postmortems.md). Create a draft, read it (JSON,
 * or Markdown with `?format=md`; a resolved incident of an auto-drafted severity gets its draft on first read),
 * edit it under a version check (PATCH), publish and reopen it. `GET /api/postmortems` lists the stored ones
 * (summaries, newest incident first, filters and cursors like the incident list) and, on its first page, the
 * resolved incidents of an auto-drafted severity still without a postmortem (`awaiting`).
 */
import * as z from 'zod/mini';
import { BadRequestError, InvalidPayloadError } from '../../core/errors';
import { parseWith } from '../../core/normalize/shared';
import { PostmortemActionSchema, PostmortemPatchSchema } from '../../core/postmortem/edit';
import { POSTMORTEM_STATUSES } from '../../core/postmortem/model';
import { renderMarkdown } from '../../core/postmortem/render';
import { type PostmortemDeps, awaitingPostmortems, createPostmortem, getPostmortem, patchPostmortem, publishPostmortem, reopenPostmortem } from '../../core/postmortem/service';
import { json, type HttpEvent, type HttpResult } from '../shared/http';
import { actorOf, bodyOf, isoDate, type ApiResource } from './shared';

const by = z.optional(z.string().check(z.minLength(1), z.maxLength(64)));
const CreateBodySchema = z.strictObject({ by, template: z.optional(z.string().check(z.minLength(1), z.maxLength(64))) });
const GetQuerySchema = z.strictObject({ format: z.optional(z.enum(['json', 'md'])) });
const name = z.optional(z.string().check(z.minLength(1), z.maxLength(64)));
const ListQuerySchema = z.strictObject({
  status: z.optional(z.enum(POSTMORTEM_STATUSES)),
  service: name,
  team: name,
  from: z.optional(isoDate),
  to: z.optional(isoDate),
  limit: z.optional(z.pipe(z.string().check(z.regex(/^\d+$/, 'expected a whole number')), z.transform(Number))),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});

/** The list's query: limit 1-100 (25 by default), from/to as ISO times, from not after to. */
function listQueryOf(event: HttpEvent) {
  const q = parseWith(ListQuerySchema, event.queryStringParameters ?? {});
  const limit = q.limit ?? 25;
  if (limit < 1 || limit > 100) throw new InvalidPayloadError([{ path: 'limit', message: 'must be between 1 and 100' }]);
  const [from, to] = [q.from, q.to].map((s) => (s === undefined ? undefined : new Date(s).toISOString()));
  if (from !== undefined && to !== undefined && from > to) throw new InvalidPayloadError([{ path: 'from', message: `must not be later than to (from ${from}, to ${to})` }]);
  return { ...q, from, to, limit };
}

function incidentIdOf(event: HttpEvent): string {
  const id = event.pathParameters?.id;
  if (!id) throw new BadRequestError('missing incident id', { field: 'id' });
  return id;
}

const markdown = (body: string): HttpResult => ({ statusCode: 200, headers: { 'content-type': 'text/markdown; charset=utf-8' }, body });

/** Edits are by the actor from the token (`by` only from the API token and machine clients: api/shared.ts `actorOf`). */
export const postmortemRoutes: ApiResource<PostmortemDeps> = (deps) => ({
  'GET /api/postmortems': async (event) => {
    const q = listQueryOf(event);
    const page = await deps.postmortems.list(q);
    // On the first page of drafts (or of everything): the resolved incidents whose draft is made on first read.
    const awaiting = q.cursor === undefined && (q.status === undefined || q.status === 'draft') ? await awaitingPostmortems(deps, q, q.limit) : [];
    return json(200, { postmortems: page.items, nextCursor: page.cursor, awaiting });
  },
  'POST /api/incidents/{id}/postmortem': async (event) => {
    const body = bodyOf(event, CreateBodySchema, true);
    const pm = await createPostmortem(deps, incidentIdOf(event), actorOf(event, body.by), body.template);
    return json(201, { postmortem: pm });
  },
  'GET /api/incidents/{id}/postmortem': async (event) => {
    const q = parseWith(GetQuerySchema, event.queryStringParameters ?? {});
    const pm = await getPostmortem(deps, incidentIdOf(event));
    if (q.format === 'md') {
      // The published document as stored; a draft or review is rendered as it stands.
      const stored = pm.status === 'published' && pm.published ? await deps.documents.get(pm.published.markdownKey) : null;
      return markdown(stored ?? renderMarkdown(pm));
    }
    return json(200, { postmortem: pm });
  },
  'PATCH /api/incidents/{id}/postmortem': async (event) => {
    const body = bodyOf(event, PostmortemPatchSchema, false);
    return json(200, { postmortem: await patchPostmortem(deps, incidentIdOf(event), body, actorOf(event, body.by)) });
  },
  'POST /api/incidents/{id}/postmortem/publish': async (event) => {
    const body = bodyOf(event, PostmortemActionSchema, false);
    return json(200, { postmortem: await publishPostmortem(deps, incidentIdOf(event), body.version, actorOf(event, body.by)) });
  },
  'POST /api/incidents/{id}/postmortem/reopen': async (event) => {
    const body = bodyOf(event, PostmortemActionSchema, false);
    return json(200, { postmortem: await reopenPostmortem(deps, incidentIdOf(event), body.version, actorOf(event, body.by)) });
  },
});
