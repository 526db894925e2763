/** The status page section and service dependencies in the pipeline config: shape, defaults, cross-references. */
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import type { PipelineConfigInput } from '../../../lambdas/core/config/pipeline-config.schema';
import { ConfigError } from '../../../lambdas/core/errors';
import { dependencyCycle, dependencyEdges, dependentsOf } from '../../../lambdas/core/status/dependencies';

function base(): PipelineConfigInput {
  return {
    version: 1,
    teams: [{ name: 'payments' }],
    services: [
      { name: 'checkout', team: 'payments', dependsOn: ['database', { service: 'payments-api', impact: 'degrade', inhibitAtOrAbove: 'sev1' }] },
      { name: 'payments-api', team: 'payments', dependsOn: [{ service: 'database' }] },
      { name: 'database', team: 'payments' },
    ],
    routing: { default: { service: 'checkout' } },
    statusPage: {
      title: 'Example Corp status',
      groups: [{ name: 'core', displayName: 'Core services' }],
      components: [
        { service: 'checkout', displayName: 'Checkout', description: 'Buying things', group: 'core' },
        { service: 'database', displayName: 'Database' },
        { service: 'payments-api' },
      ],
      pages: [
        { name: 'public', title: 'Example Corp status', visibility: 'public', components: ['checkout', 'database'] },
        { name: 'internal', title: 'Internal status', visibility: 'private', components: ['checkout', 'database', 'payments-api'] },
      ],
    },
  };
}

function issuesOf(input: PipelineConfigInput): Array<{ path: string; message: string }> {
  try {
    parsePipelineConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('status page config', () => {
  it('accepts the contract example and fills the defaults', () => {
    const cfg = parsePipelineConfig(base());
    expect(cfg.statusPage?.severityStatus).toEqual({ sev1: 'major_outage', sev2: 'partial_outage', sev3: 'degraded_performance' });
    expect(cfg.statusPage?.countStatuses).toEqual(['triggered', 'acknowledged']);
    expect(cfg.statusPage?.pages.map((p) => p.visibility)).toEqual(['public', 'private']);
  });

  it('is optional', () => {
    const { statusPage: _omit, ...rest } = base();
    expect(parsePipelineConfig(rest).statusPage).toBeUndefined();
  });

  it('adds a public flag (default false) to maintenance windows', () => {
    const cfg = parsePipelineConfig({ ...base(), maintenance: [
      { name: 'db-upgrade', services: ['database'], start: '2026-03-01T02:00:00Z', end: '2026-03-01T04:00:00Z', public: true },
      { name: 'quiet', services: ['database'], start: '2026-03-01T02:00:00Z', end: '2026-03-01T04:00:00Z' },
    ] });
    expect(cfg.maintenance.map((m) => m.public)).toEqual([true, false]);
  });

  const bad: Array<[string, (c: PipelineConfigInput) => void, string, RegExp]> = [
    ['an unknown service in dependsOn (bare)', (c) => { c.services[2]!.dependsOn = ['cache']; }, 'services[2].dependsOn[0]', /unknown service "cache"/],
    ['an unknown service in dependsOn (object)', (c) => { c.services[2]!.dependsOn = [{ service: 'cache' }]; }, 'services[2].dependsOn[0].service', /unknown service "cache"/],
    ['a bad impact', (c) => { c.services[2]!.dependsOn = [{ service: 'checkout', impact: 'worse' as never }]; }, 'services[2].dependsOn[0]', /./],
    ['a duplicate dependency', (c) => { c.services[1]!.dependsOn = ['database', { service: 'database', impact: 'none' }]; }, 'services[1].dependsOn[1]', /duplicate dependency "database"/],
    ['a dependency cycle', (c) => { c.services[2]!.dependsOn = ['checkout']; }, 'services[0].dependsOn', /dependency cycle: checkout -> database -> checkout/],
    ['an unknown component service', (c) => { c.statusPage!.components.push({ service: 'cache' }); }, 'statusPage.components[3].service', /unknown service "cache"/],
    ['an unknown group', (c) => { c.statusPage!.components[1]!.group = 'edge'; }, 'statusPage.components[1].group', /unknown group "edge"/],
    ['a duplicate component', (c) => { c.statusPage!.components.push({ service: 'database' }); }, 'statusPage.components[3].service', /duplicate component "database"/],
    ['an unknown service on a page', (c) => { c.statusPage!.pages[0]!.components.push('cache'); }, 'statusPage.pages[0].components[2]', /unknown service "cache"/],
    ['an undeclared component on a page', (c) => { c.statusPage!.components.pop(); }, 'statusPage.pages[1].components[2]', /"payments-api" is not a declared component/],
    ['a duplicate component on a page', (c) => { c.statusPage!.pages[0]!.components.push('checkout'); }, 'statusPage.pages[0].components[2]', /duplicate component "checkout" on page "public"/],
    ['two public pages', (c) => { c.statusPage!.pages[1]!.visibility = 'public'; }, 'statusPage.pages', /at most one public page/],
    ['no public page', (c) => { c.statusPage!.pages[0]!.visibility = 'private'; }, 'statusPage.pages', /one page with visibility: public/],
    ['a status that is not one of the five', (c) => { c.statusPage!.severityStatus = { sev1: 'down' as never }; }, 'statusPage.severityStatus.sev1', /./],
    ['suppressed as a counted status', (c) => { c.statusPage!.countStatuses = ['suppressed' as never]; }, 'statusPage.countStatuses[0]', /./],
  ];
  it.each(bad)('rejects %s naming the path', (_what, change, path, message) => {
    const input = structuredClone(base());
    change(input);
    expect(issuesOf(input)).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('dependencyEdges', () => {
  it('normalizes bare names to impact same without inhibition', () => {
    expect(dependencyEdges(parsePipelineConfig(base()))).toEqual([
      { from: 'checkout', to: 'database', impact: 'same' },
      { from: 'checkout', to: 'payments-api', impact: 'degrade', inhibitAtOrAbove: 'sev1' },
      { from: 'payments-api', to: 'database', impact: 'same' },
    ]);
  });

  it('finds cycles, and none in a DAG', () => {
    expect(dependencyCycle(parsePipelineConfig(base()))).toBeUndefined();
    expect(dependencyCycle({ services: [{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: [{ service: 'c' }] }, { name: 'c', dependsOn: ['a'] }] }))
      .toEqual(['a', 'b', 'c', 'a']);
  });

  it('lists transitive dependents once', () => {
    expect(dependentsOf(dependencyEdges(parsePipelineConfig(base())), 'database').sort()).toEqual(['checkout', 'payments-api']);
  });
});
