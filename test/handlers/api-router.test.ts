import { API_GROUPS } from '../../lambdas/handlers/api-groups';
import { apiRoutes, type ApiDeps, type ApiResource } from '../../lambdas/handlers/api/shared';
import { HTTP_ROUTES, routeKeyOf } from '../../lambdas/handlers/routes';
import { InvariantError } from '../../lambdas/core/errors';
import { SOURCES } from '../../lambdas/core/normalize/registry';
import { SOURCE_NAMES } from '../../lambdas/core/normalize/source-names';

// The resources only close over their dependencies; building the table reads none of them.
const deps = {} as ApiDeps;

describe('the API router', () => {
  it.each(Object.keys(API_GROUPS) as (keyof typeof API_GROUPS)[])('%s serves exactly its routes of the route table', (fn) => {
    const served = Object.keys(apiRoutes(deps, API_GROUPS[fn])).sort();
    const declared = HTTP_ROUTES.filter((r) => r.fn === fn).map(routeKeyOf).sort();
    expect(served).toEqual(declared);
  });

  it('serves every bearer route with one of the API functions', () => {
    const served = Object.values(API_GROUPS).flatMap((resources) => Object.keys(apiRoutes(deps, resources))).sort();
    expect(served).toEqual(HTTP_ROUTES.filter((r) => r.auth === 'bearer').map(routeKeyOf).sort());
  });

  it('refuses a route key declared by two resources', () => {
    const twice: ApiResource = () => ({ 'GET /api/incidents': async () => ({ statusCode: 200, headers: {}, body: '' }) });
    expect(() => apiRoutes(deps, [...API_GROUPS.api, twice])).toThrow(InvariantError);
    expect(() => apiRoutes(deps, [...API_GROUPS.api, twice])).toThrow('API route GET /api/incidents is declared by two resources');
  });

  it('filters by the source names of the registry (kept apart from it, so the API bundles do not carry the normalizers)', () => {
    expect([...SOURCE_NAMES]).toEqual([...SOURCES]);
  });
});
