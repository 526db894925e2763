/**
 * API resource: the raw payload of an alert of an incident (`GET /api/incidents/{id}/alerts/{alertId}/raw`), for the
 * console. The archive key comes from the incident's alert log, never from the caller (core/raw-payload.ts).
 */
import { BadRequestError, InvalidPayloadError } from '../../core/errors';
import { readRawPayload } from '../../core/raw-payload';
import { json, type HttpEvent } from '../shared/http';
import type { ApiDeps, ApiResource } from './shared';

const ALERT_ID = /^[0-9a-f]{16}$/;

function pathOf(event: HttpEvent): { id: string; alertId: string } {
  const id = event.pathParameters?.id;
  const alertId = event.pathParameters?.alertId;
  if (!id) throw new BadRequestError('missing incident id', { field: 'id' });
  if (!alertId || !ALERT_ID.test(alertId)) {
    throw new InvalidPayloadError([{ path: 'alertId', message: 'expected an alert id of 16 hex characters (the alertId of GET /api/incidents/{id})' }]);
  }
  return { id, alertId };
}

export const rawPayloadRoutes: ApiResource<Pick<ApiDeps, 'rawArchive' | 'store'>> = (deps) => ({
  'GET /api/incidents/{id}/alerts/{alertId}/raw': async (event) => {
    const { id, alertId } = pathOf(event);
    return json(200, await readRawPayload({ store: deps.store, archive: deps.rawArchive }, id, alertId));
  },
});
