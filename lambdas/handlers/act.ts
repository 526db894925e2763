/**
 * Handler: one-click links from notifications and calendar feeds.
 *   GET  /act/{token}  shows the incident and one button (mail scanners and chat previews fetch links; a GET must
 *                      not acknowledge anything), POST /act/{token} acts: acknowledge or resolve as the link's signed recipient ("bob via link"), once (the
 *                      link's nonce is recorded with what it did and when), until it expires; a used link's
 *                      page says so, without a button; a link for an incident that does not exist is a 404 and
 *                      stays unused;
 *   GET  /ical/{token} the iCalendar feed of one schedule.
 */
import type { Context } from 'aws-lambda';
import { ConflictError, NotFoundError } from '../core/errors';
import { inhibitEdgesOfConfig } from '../core/inhibition';
import { actOnIncident } from '../core/incident-actions';
import { verifyActionToken } from '../core/notify/action-links';
import { verifyFeedToken } from '../core/notify/feed-links';
import { icalFeed } from '../core/oncall/ical';
import { alreadyUsed, confirmPage, donePage, invalidLink, noSuchIncident, nothingToDo } from './act/pages';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { dynamodbClient, once } from './shared/aws';
import { env } from './shared/env';
import { awsIncidentActions, type IncidentOperationsDeps } from './shared/escalation';
import { awsLinkKeys } from './shared/link-keys';
import { httpHandler, type HttpEvent, type HttpResult, type RouteHandlers } from './shared/http';

export type ActDeps = IncidentOperationsDeps;

const DAY = 24 * 3600 * 1000;

/** The actor of a link's action: its signed recipient ("bob via link"); `link` for a link signed without one. */
export function linkActor(recipient: string | undefined): string {
  return recipient ? `${recipient} via link` : 'link';
}

export function createActHandler(deps: ActDeps) {
  const claimsOf = async (token: string) => verifyActionToken(token, await deps.linkKeys.tokens(), deps.clock.now().getTime());

  const routes: RouteHandlers = {
    'GET /act/{token}': async (event) => {
      const check = await claimsOf(event.pathParameters?.token ?? '');
      if (!check.ok) return invalidLink(check.reason);
      const inc = await deps.store.getIncident(check.claims.incidentId);
      if (!inc) return noSuchIncident();
      const used = await deps.ops.usedNonce(check.claims.nonce);
      if (used) return alreadyUsed(used.use, inc);
      return confirmPage(check.claims.action, inc, check.claims.expiresAtMs);
    },
    'POST /act/{token}': async (event) => {
      const check = await claimsOf(event.pathParameters?.token ?? '');
      if (!check.ok) return invalidLink(check.reason);
      const { incidentId, action, nonce, expiresAtMs, recipient } = check.claims;
      // A link for an incident that does not exist does nothing, so it is not used up either.
      if (!(await deps.store.getIncident(incidentId))) return noSuchIncident();
      if (!(await deps.ops.consumeNonce(nonce, new Date(expiresAtMs).toISOString(), { at: deps.clock.now().toISOString(), action }))) {
        const used = await deps.ops.usedNonce(nonce);
        return alreadyUsed(used?.use ?? null, await deps.store.getIncident(incidentId));
      }
      try {
        return donePage(action, await actOnIncident({ ...deps, inhibitEdges: inhibitEdgesOfConfig(deps.config) }, incidentId, action, linkActor(recipient)));
      } catch (err) {
        if (err instanceof ConflictError) {
          return nothingToDo(err.message, await deps.store.getIncident(incidentId));
        }
        if (err instanceof NotFoundError) return noSuchIncident();
        throw err;
      }
    },
    'GET /ical/{token}': async (event): Promise<HttpResult> => {
      const schedule = verifyFeedToken(event.pathParameters?.token ?? '', await deps.linkKeys.tokens());
      const config = schedule ? deps.config.schedules.find((s) => s.name === schedule) : undefined;
      if (!config) return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'no such calendar' };
      const nowMs = deps.clock.now().getTime();
      const overrides = await deps.ops.listOverrides(config.name);
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'max-age=300' },
        body: icalFeed(config, overrides, deps.config.people, nowMs - 7 * DAY, nowMs + 60 * DAY, nowMs),
      };
    },
  };

  const notifier = deps.statusNotifier;
  return httpHandler(routes, { afterWrite: notifier ? () => notifier.statusMayHaveChanged('act') : undefined });
}

const awsHandler = once(() => createActHandler({
  ...awsIncidentActions(), ops: new DynamoOperationsStore(dynamodbClient(), env.tableName()), linkKeys: awsLinkKeys(),
}));

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
