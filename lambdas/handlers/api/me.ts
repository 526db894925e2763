/** API resource: `GET /api/me`, who the caller is: `{actor, role, via}` (the web console reads it at sign-in). */
import { json } from '../shared/http';
import { identityOfRequest, type ApiResource } from './shared';

export const meRoutes: ApiResource<unknown> = () => ({
  'GET /api/me': async (event) => {
    const { actor, role, via } = identityOfRequest(event);
    return json(200, { actor, role, via });
  },
});
