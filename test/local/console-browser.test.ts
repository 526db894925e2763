/**
 * The web console in a real browser: Debian's chromium driven by playwright-core (no browser download) against the
 * local runtime started in-process. Logs in with the printed API token, sees a new alert become an incident (the
 * list's source filter answered by the server), opens its decision trace (the matching routing rule highlighted,
 * the one before it not matching) and its raw payload, acknowledges it and sees the timeline update, starts, edits,
 * reviews and publishes a postmortem, publishes a status update and sees the public status page change, and finds
 * the postmortem in the list of postmortems (filtered by status); a viewer, signed in with their own token, sees no
 * action buttons and the server refuses their action anyway (403); an API error is shown with its message; the
 * incident screen fits a 390 px phone; axe-core finds no serious or critical violation on any main screen.
 * UPDATE_SCREENSHOT=1 saves docs/console-*.png. Skipped, saying so, where /usr/bin/chromium is missing (.ci/run
 * installs it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { ensureConsoleBuilt } from '../../lib/console/build-console';
import { PROJECT_ROOT } from '../lib/helpers';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { databaseDown } from '../support/status-fixtures';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const maybe = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`console browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

const CONFIG = parsePipelineConfig({
  version: 1,
  people: [{ name: 'alice', timezone: 'Europe/Berlin' }, { name: 'bob', timezone: 'Europe/Berlin' }, { name: 'vera', role: 'viewer' }],
  teams: [{ name: 'payments', members: ['alice', 'bob'] }],
  schedules: [{ name: 'payments-primary', timezone: 'Europe/Berlin', layers: [{ name: 'weekly', members: ['alice', 'bob'], rotation: 'weekly', start: '2026-01-05T09:00' }] }],
  services: [
    { name: 'database', team: 'payments' },
    { name: 'checkout', team: 'payments', dependsOn: [{ service: 'database', impact: 'degrade' }] },
    { name: 'search', team: 'payments' },
  ],
  routing: { default: { service: 'search' } },
  rules: {
    tagging: [
      { name: 'checkout-category', when: 'alert.title.contains("checkout")', tags: { category: 'checkout' } },
      { name: 'database-category', explanation: 'Database alerts are tagged', when: '"service" in alert.labels && alert.labels.service == "database"', tags: { category: 'database' } },
    ],
    routing: [
      { name: 'checkout-alerts', when: '"category" in tags && tags.category == "checkout"', route: { service: 'checkout' } },
      { name: 'database-alerts', explanation: 'Database alerts go to the database service', when: '"category" in tags && tags.category == "database"', route: { service: 'database' } },
    ],
  },
  statusPage: {
    title: 'Example Corp status',
    components: [
      { service: 'checkout', displayName: 'Checkout' },
      { service: 'database', displayName: 'Database' },
      { service: 'search', displayName: 'Search' },
    ],
    pages: [{ name: 'public', visibility: 'public', components: ['checkout', 'database', 'search'] }],
  },
});

const SHOTS = process.env.UPDATE_SCREENSHOT === '1';
const shot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: join(PROJECT_ROOT, 'docs', `console-${name}.png`), fullPage: false });
};

/** axe-core in the page: the serious and critical violations (WCAG 2.x A and AA rules and best practices). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  // A string, evaluated in the page (the test's TypeScript has no DOM types).
  const violations: any[] = await page.evaluate(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  })()`);
  return violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
}

maybe('web console in a browser', () => {
  let rt: TestRuntime;
  let browser: Browser;
  let incidentId: string | undefined;
  /** The incident of the sample alert (the first test sends it; a test run alone sends it here). */
  const sampleIncident = async (): Promise<string> => {
    if (!incidentId) {
      await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, databaseDown(new Date().toISOString()));
      await rt.drain();
      incidentId = (await rt.get('/api/incidents')).body.incidents[0].id as string;
    }
    return incidentId;
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    rt = await startTestRuntime({ config: CONFIG, sweepIntervalMs: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rt?.cleanup();
  });

  // bypassCSP in every context: axe-core is injected as an inline script (the console runs under script-src 'self').
  it('an alert becomes an incident; its trace, acknowledge, timeline, postmortem and the status page, from the console alone', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await signIn(page, rt.url, rt.apiToken);
      expect(await page.getByTestId('identity').textContent()).toBe('api-token · admin'); // GET /api/me: the API token is the admin
      expect(await axeViolations(page)).toEqual([]);

      // A sample alert arrives; the list refreshes by itself.
      expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, databaseDown(new Date().toISOString()))).status).toBe(200);
      await rt.drain();
      const row = page.locator('tr[data-incident]').first();
      await row.waitFor({ timeout: 15_000 });
      const id = (await row.getAttribute('data-incident'))!;
      incidentId = id;
      expect(await row.textContent()).toContain('Connection refused on db-primary-7');
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'incidents');

      // The source filter goes to the server (GET /api/incidents?source=...), not over the page in the browser.
      const asked = page.waitForRequest((r) => r.url().includes('/api/incidents?') && r.url().includes('source=cloudwatch'));
      await page.getByRole('combobox', { name: 'Source' }).click();
      await page.getByRole('option', { name: 'cloudwatch' }).click();
      await asked;
      await page.getByText('No incidents match.').waitFor();
      await page.getByRole('combobox', { name: 'Source' }).click();
      await page.getByRole('option', { name: 'alertmanager' }).click();
      await row.waitFor();
      await page.evaluate('document.activeElement && document.activeElement.blur()'); // the list's keys are off while typing

      // Keyboard: j selects the first row, Enter opens it.
      await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: /Connection refused/ }).waitFor();
      expect(page.url()).toContain(`#/incidents/${id}`);

      // The decision trace: the routing rule that matched, the one before it that did not.
      await page.getByRole('tab', { name: /Alerts and decision traces/ }).click();
      await page.getByRole('button', { name: /Connection refused/ }).click();
      const trace = page.getByTestId('trace-viewer');
      await trace.waitFor();
      const routing = trace.getByRole('table', { name: 'Routing rules' });
      expect(await routing.locator('tr[data-rule]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-rule')}:${r.getAttribute('data-state')}`)))
        .toEqual(['checkout-alerts:not-matched', 'database-alerts:matched', 'default:not-reached']);
      const tagging = trace.getByRole('table', { name: 'Tagging rules' });
      expect(await tagging.locator('tr[data-rule]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-rule')}:${r.getAttribute('data-state')}`)))
        .toEqual(['checkout-category:not-matched', 'database-category:matched']);
      expect(await trace.locator('tr[data-stage="route"]').textContent()).toContain('routing rule "database-alerts" matched');
      expect(await axeViolations(page)).toEqual([]);
      if (SHOTS) await trace.screenshot({ path: join(PROJECT_ROOT, 'docs', 'console-trace.png') });

      // The alert's raw payload, loaded when opened: a field of the posted body that the alert record does not carry.
      await page.getByRole('button', { name: 'Show raw payload' }).click();
      const raw = page.getByTestId('raw-payload');
      await raw.waitFor();
      expect(await raw.textContent()).toContain('"receiver": "alert-pipeline"');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Hide raw payload' }).click();

      // Acknowledge; the timeline shows it.
      await page.getByRole('tab', { name: /Timeline/ }).click();
      await page.getByRole('button', { name: 'Acknowledge' }).click();
      await page.getByTestId('timeline').getByText('acknowledged · api').waitFor();
      expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
      await page.getByLabel('Add a note').fill('Failing over to the replica');
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.getByTestId('timeline').getByText('Failing over to the replica').waitFor();
      expect((await rt.get(`/api/incidents/${id}`)).body.incident.status).toBe('acknowledged');
      await shot(page, 'incident');

      // The status screen and the public page: database has a major outage because of this incident.
      await page.getByRole('link', { name: 'Status' }).click();
      const database = page.locator('[data-component="database"]');
      await database.waitFor();
      expect(await database.textContent()).toContain('major outage');
      expect(await database.textContent()).toContain(id);
      await page.getByLabel('Title').fill('Checkout is slow');
      await page.getByRole('combobox', { name: 'Affected components' }).click({ force: true });
      await page.getByRole('option', { name: 'database' }).click();
      await page.getByRole('option', { name: 'checkout' }).click();
      await page.keyboard.press('Escape');
      await page.getByLabel('Message').fill('The primary database is down; we are failing over.');
      await page.getByRole('button', { name: 'Publish', exact: true }).click();
      await page.getByText('The primary database is down; we are failing over.').first().waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'status');
      const publicPage = await context.newPage();
      await publicPage.goto(`${rt.url}/status`);
      expect(await publicPage.getByRole('heading', { name: 'Checkout is slow' }).count()).toBe(1);
      await publicPage.close();

      // An API error is shown with its message: a maintenance window longer than the API allows.
      await page.getByLabel('Name').fill('too-long');
      await page.getByLabel('Ends').fill('2099-01-01T00:00');
      await page.getByRole('button', { name: 'Start window' }).click();
      const err = page.getByRole('alert').filter({ hasText: /7 days|days/ });
      await err.waitFor();
      expect(await err.textContent()).not.toContain('HTTP 400');

      // Start a postmortem from the incident, edit it, move it to review, publish it.
      await page.goto(`${rt.url}/#/incidents/${id}`);
      await page.getByRole('button', { name: 'Start postmortem' }).click();
      await page.getByRole('heading', { name: /^Postmortem: / }).waitFor();
      const firstSection = page.locator('textarea').first();
      await firstSection.fill('The primary database refused connections for 20 minutes.');
      await page.getByRole('button', { name: 'Save and move to review' }).click();
      await page.getByText('in review').first().waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'postmortem');
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByRole('heading', { name: 'Published document' }).waitFor();
      expect(await page.locator('pre').first().textContent()).toContain('The primary database refused connections for 20 minutes.');

      // The list of postmortems (GET /api/postmortems): the published one with its badge; the status filter; open it.
      await page.getByRole('link', { name: 'Postmortems' }).click();
      await page.getByRole('heading', { name: 'Postmortems', exact: true }).waitFor();
      const listed = page.locator(`tr[data-postmortem="${id}"]`);
      await listed.waitFor();
      expect([await listed.getAttribute('data-status'), await listed.getByText('published', { exact: true }).count()]).toEqual(['published', 1]);
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'in review' }).click();
      await page.getByText('No postmortems match.').waitFor();
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'published' }).click();
      await listed.waitFor();
      await page.waitForLoadState('networkidle');
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'postmortems');
      await listed.getByRole('link').click();
      await page.getByRole('heading', { name: 'Published document' }).waitFor();
      expect(page.url()).toContain(`#/postmortems/${id}`);

      // On-call, insights: each screen renders and passes axe.
      for (const [link, heading, name] of [['On-call', 'On-call', 'oncall'], ['Insights', 'Insights', 'insights']] as const) {
        await page.getByRole('link', { name: link }).click();
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await page.waitForLoadState('networkidle');
        expect([name, await axeViolations(page)]).toEqual([name, []]);
        if (name === 'oncall') expect(await page.locator('main').textContent()).toMatch(/Now: (alice|bob) \(weekly\)/);
        await shot(page, name);
      }
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('fits a 390 px phone: the incident and its actions without horizontal scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      const id = await sampleIncident();
      // An incident whose description carries a long unbroken URL (as Threat Stack's and CloudWatch's do).
      const long = databaseDown(new Date().toISOString());
      const labels = { ...long.commonLabels, alertname: 'DatabaseSlow' };
      Object.assign(long, { groupKey: '{}:{alertname="DatabaseSlow"}', commonLabels: labels });
      long.alerts = [{ ...long.alerts[0]!, labels, annotations: { summary: 'Database is slow', description: `Runbook: https://wiki.example.com/${'runbooks%2Fdatabase%2F'.repeat(6)}failover` } as never, fingerprint: 'db0000000000002' }];
      await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, long);
      await rt.drain();
      const longId = ((await rt.get('/api/incidents')).body.incidents as Array<{ id: string; title: string }>).find((i) => i.title === 'Database is slow')!.id;
      /** No badge cut to an ellipsis ("SE…", "ACKNOWLEDG…"): each label shows its whole text. */
      const cutBadges = () => page.evaluate<string[]>(`[...document.querySelectorAll('.mantine-Badge-label')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent)`);
      await signIn(page, rt.url, rt.apiToken);
      for (const incident of [id, longId]) {
        await page.goto(`${rt.url}/#/incidents/${incident}`);
        await page.getByRole('button', { name: 'Resolve' }).waitFor();
        const width = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect([incident, width]).toEqual([incident, Math.min(width, 390)]); // at most 390 px
        if (incident === id) await shot(page, 'phone');
      }
      await page.goto(`${rt.url}/#/incidents`);
      await page.locator('tr[data-incident]').first().waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(await cutBadges()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a viewer (signed in with their own token) sees no action buttons, and the server refuses their action anyway', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const vera = rt.userTokens.vera!; // DATA_DIR/local-secrets.json `users`, printed in the banner
    try {
      const id = await sampleIncident();
      const before = (await rt.get(`/api/incidents/${id}`)).body.incident;
      await signIn(page, rt.url, vera);
      expect(await page.getByTestId('identity').textContent()).toBe('vera · viewer');
      await page.locator('tr[data-incident]').first().waitFor();
      expect(await page.getByRole('checkbox').count()).toBe(0);
      expect(await page.getByRole('button', { name: /selected/ }).count()).toBe(0);
      await page.goto(`${rt.url}/#/incidents/${id}`);
      await page.getByRole('heading', { name: /Connection refused/ }).waitFor();
      for (const name of ['Acknowledge', 'Resolve', 'Escalate now', 'Start postmortem', 'Reassign', 'Add note']) {
        expect([name, await page.getByRole('button', { name }).count()]).toEqual([name, 0]);
      }
      await page.getByRole('link', { name: 'Status' }).click();
      await page.locator('[data-component="database"]').waitFor();
      for (const name of ['Publish', 'Set override', 'Start window', 'Post update']) {
        expect([name, await page.getByRole('button', { name }).count()]).toEqual([name, 0]);
      }
      await page.getByRole('link', { name: 'On-call' }).click();
      await page.getByRole('heading', { name: 'On-call', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Add override' }).count()).toBe(0);

      // The viewer calls an action anyway, from the page with their own token: 403 naming the role; nothing changes.
      const forced = await page.evaluate(`(async () => {
        const res = await fetch('/api/incidents/${id}/acknowledge', { method: 'POST', headers: { authorization: 'Bearer ${vera}', 'content-type': 'application/json' }, body: '{}' });
        return { status: res.status, body: await res.json() };
      })()`) as { status: number; body: { error: { message: string; details: { role: string; actor: string } } } };
      expect([forced.status, forced.body.error.message, forced.body.error.details.role, forced.body.error.details.actor]).toEqual([403, 'requires role responder', 'viewer', 'vera']);
      const after = (await rt.get(`/api/incidents/${id}`)).body.incident;
      expect([after.status, after.version]).toEqual([before.status, before.version]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a resolved Sev-1 without a postmortem is listed as awaiting one; opening it drafts it and it joins the list', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      const alert = databaseDown(new Date().toISOString());
      const labels = { ...alert.commonLabels, alertname: 'SearchDown', service: 'search' };
      alert.groupKey = '{}:{alertname="SearchDown"}';
      alert.commonLabels = labels;
      alert.alerts = [{ ...alert.alerts[0]!, labels, annotations: { summary: 'Search cluster is down' }, fingerprint: 'search000000001' }];
      await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, alert);
      await rt.drain();
      const id = ((await rt.get('/api/incidents')).body.incidents as Array<{ id: string; title: string }>).find((i) => i.title.includes('Search cluster'))!.id;
      expect((await rt.post(`/api/incidents/${id}/resolve`, {}, { authorization: `Bearer ${rt.apiToken}` })).status).toBe(200);
      await signIn(page, rt.url, rt.apiToken);
      await page.getByRole('link', { name: 'Postmortems' }).click();
      const awaiting = page.locator(`[data-awaiting="${id}"]`);
      await awaiting.waitFor();
      expect(await page.getByRole('heading', { name: /Resolved, awaiting a postmortem/ }).count()).toBe(1);
      expect(await page.locator(`tr[data-postmortem="${id}"]`).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await awaiting.getByRole('link', { name: 'Search cluster is down' }).click();
      await page.getByRole('heading', { name: /Postmortem: Search cluster is down/ }).waitFor(); // drafted on this first read
      await page.getByRole('link', { name: 'Postmortems' }).click();
      await page.locator(`tr[data-postmortem="${id}"][data-status="draft"]`).waitFor();
      expect(await page.locator(`[data-awaiting="${id}"]`).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
