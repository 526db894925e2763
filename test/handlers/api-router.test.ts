import { API_RESOURCES, apiRoutes, type ApiDeps } from '../../lambdas/handlers/api';
import { HTTP_ROUTES, routeKeyOf } from '../../lambdas/handlers/routes';
import { InvariantError } from '../../lambdas/core/errors';
import type { ApiResource } from '../../lambdas/handlers/api/shared';

// The resources only close over their dependencies; building the table reads none of them.
const deps = {} as ApiDeps;

describe('the API router', () => {
  it('serves exactly the api routes of the route table', () => {
    const served = Object.keys(apiRoutes(deps)).sort();
    const declared = HTTP_ROUTES.filter((r) => r.fn === 'api').map(routeKeyOf).sort();
    expect(served).toEqual(declared);
  });

  it('refuses a route key declared by two resources', () => {
    const twice: ApiResource = () => ({ 'GET /api/incidents': async () => ({ statusCode: 200, headers: {}, body: '' }) });
    expect(() => apiRoutes(deps, [...API_RESOURCES, twice])).toThrow(InvariantError);
    expect(() => apiRoutes(deps, [...API_RESOURCES, twice])).toThrow('API route GET /api/incidents is declared by two resources');
  });
});
