/**
 * Browser test of the status page: Debian's chromium driven by playwright-core (no browser download) renders
 * /status of the local runtime with JavaScript on and off, after a sev1 alert on `database` (which `checkout`
 * depends on), and finds each component's status. UPDATE_SCREENSHOT=1 saves docs/status-page.png; otherwise the
 * screenshot goes to the temp directory. Skipped, saying so, where /usr/bin/chromium is missing (.ci/run installs it).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../lib/helpers';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { databaseDown, STATUS_CONFIG } from '../support/status-fixtures';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const maybe = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`status page browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

maybe('status page in a browser', () => {
  let rt: TestRuntime;
  const dirs: string[] = [];
  beforeAll(async () => {
    rt = await startTestRuntime({ config: STATUS_CONFIG, sweepIntervalMs: 0 });
    expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, databaseDown(new Date().toISOString()))).status).toBe(200);
    await rt.drain();
    await rt.apiPost('/api/status/incidents', { title: 'Database unavailable', components: ['database', 'checkout'], status: 'identified', message: 'The primary database is down; checkout is slower while we fail over.' });
  });
  afterAll(async () => {
    await rt?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each([true, false])('renders each component with its status (JavaScript %s)', async (javaScriptEnabled) => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'status-chromium-'));
    dirs.push(userDataDir);
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, args: ARGS, headless: true, javaScriptEnabled, viewport: { width: 900, height: 1000 },
    });
    try {
      const page = await context.newPage();
      const res = await page.goto(`${rt.url}/status`);
      expect(res?.status()).toBe(200);
      const statuses = await page.locator('li.component').evaluateAll((els) =>
        els.map((el) => [el.querySelector('h4')?.textContent, el.querySelector('.status')?.textContent]));
      expect(statuses).toEqual([['Checkout', 'Degraded performance'], ['Database', 'Major outage'], ['Search', 'Operational']]);
      expect(await page.getByRole('status').textContent()).toBe('Major System Outage');
      expect(await page.getByRole('heading', { name: 'Database unavailable' }).count()).toBe(1);
      // Fits a phone: no horizontal scrolling at 375 px.
      await page.setViewportSize({ width: 375, height: 800 });
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      if (!javaScriptEnabled) {
        await page.setViewportSize({ width: 900, height: 1000 });
        const file = process.env.UPDATE_SCREENSHOT === '1' ? join(PROJECT_ROOT, 'docs', 'status-page.png') : join(userDataDir, 'status-page.png');
        await page.screenshot({ path: file, fullPage: true });
      }
    } finally {
      await context.close();
    }
  });
});
