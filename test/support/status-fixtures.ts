/** The status page's end-to-end fixtures: a config with a dependency and a status page, and an alert that carries internals. */
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';

export const STATUS_CONFIG = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'payments' }],
  services: [
    { name: 'database', team: 'payments' },
    { name: 'checkout', team: 'payments', dependsOn: [{ service: 'database', impact: 'degrade' }] },
    { name: 'search', team: 'payments' },
  ],
  routing: { default: { service: 'database' } },
  statusPage: {
    title: 'Example Corp status',
    groups: [{ name: 'core', displayName: 'Core services' }],
    components: [
      { service: 'checkout', displayName: 'Checkout', description: 'Buying things', group: 'core' },
      { service: 'database', displayName: 'Database', group: 'core' },
      { service: 'search', displayName: 'Search' },
    ],
    pages: [
      { name: 'public', visibility: 'public', components: ['checkout', 'database', 'search'] },
      { name: 'internal', title: 'Internal status', visibility: 'private', components: ['checkout', 'database', 'search'] },
    ],
  },
});

export const INTERNAL = { host: 'db-primary-7.internal.example.net', ip: '10.42.7.19', title: 'DatabaseDown' };

/** An Alertmanager webhook firing a critical (sev1) alert whose labels and summary carry a host name and an IP. */
export function databaseDown(at: string) {
  const labels = { alertname: INTERNAL.title, service: 'database', severity: 'critical', instance: `${INTERNAL.host}:5432`, ip: INTERNAL.ip };
  return {
    version: '4', groupKey: '{}:{alertname="DatabaseDown"}', truncatedAlerts: 0, status: 'firing', receiver: 'alert-pipeline',
    groupLabels: { alertname: INTERNAL.title }, commonLabels: labels, commonAnnotations: {}, externalURL: 'https://alertmanager.example.com',
    alerts: [{
      status: 'firing', labels, annotations: { summary: `Connection refused on ${INTERNAL.host} (${INTERNAL.ip})` },
      startsAt: at, endsAt: '0001-01-01T00:00:00Z', generatorURL: `http://${INTERNAL.ip}:9090/graph`, fingerprint: 'db0000000000001',
    }],
  };
}

export async function componentStatuses(rt: { url: string }): Promise<Record<string, string>> {
  const json = (await (await fetch(`${rt.url}/status.json`)).json()) as { components: Array<{ id: string; status: string; group: boolean }> };
  return Object.fromEntries(json.components.filter((c) => !c.group).map((c) => [c.id, c.status]));
}

