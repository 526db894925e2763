/**
 * The module substitutions of the Lambda bundles (BUNDLE_ALIASES, lib/constructs/defaults.ts), built with esbuild as
 * CDK builds the functions: what they leave out, and that what they touch still works.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_ALIASES, bundleAliases, ESBUILD_TARGET } from '../../lib/constructs/defaults';
import { FUNCTIONS, functionSpec } from '../../lambdas/handlers/functions';
import { configWith } from '../lib/helpers';

const ROOT = join(__dirname, '..', '..');

async function bundle(entry: { file: string } | { code: string }, outfile: string, aliases: boolean | Record<string, string>): Promise<Metafile> {
  const result = await build({
    ...('file' in entry ? { entryPoints: [join(ROOT, entry.file)] } : { stdin: { contents: entry.code, resolveDir: ROOT, loader: 'ts' } }),
    outfile, bundle: true, platform: 'node', format: 'cjs', target: ESBUILD_TARGET, mainFields: ['module', 'main'],
    metafile: true, logLevel: 'silent', alias: aliases === true ? { ...BUNDLE_ALIASES } : aliases === false ? {} : aliases,
  });
  return result.metafile;
}

const inputs = (m: Metafile) => Object.keys(m.inputs);

describe('the bundle aliases', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'bundle-aliases-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the status-render function, which writes the Atom feed, bundles no XML parser (sax)', async () => {
    const meta = await bundle({ file: 'lambdas/handlers/status-render.ts' }, join(dir, 'fn.cjs'), true);
    const bytesOf = (pkg: string) => Object.entries(Object.values(meta.outputs)[0]!.inputs).filter(([i]) => i.includes(`node_modules/${pkg}/`)).reduce((n, [, v]) => n + v.bytesInOutput, 0);
    expect(bytesOf('sax')).toBe(0);
    expect(bytesOf('feed')).toBeGreaterThan(0);
  });

  it('writes the same Atom feed with the XML parser left out', async () => {
    const code = `import { Feed } from 'feed';
      const feed = new Feed({ id: 'https://s.example.com/status', title: 'Acme & Co: updates', link: 'https://s.example.com/status', updated: new Date('2026-01-02T03:04:05Z'), copyright: '', generator: 'g' });
      feed.addItem({ title: 'API <degraded>', id: 'https://s.example.com/status#u1', link: 'https://s.example.com/status#u1', date: new Date('2026-01-02T03:00:00Z'), description: 'Investigating "errors" & timeouts' });
      process.stdout.write(feed.atom1());`;
    await bundle({ code }, join(dir, 'with.cjs'), true);
    await bundle({ code }, join(dir, 'without.cjs'), false);
    const withAliases = execFileSync(process.execPath, [join(dir, 'with.cjs')], { encoding: 'utf8' });
    expect(withAliases).toContain('<title type="html"><![CDATA[API <degraded>]]></title>');
    expect(withAliases).toEqual(execFileSync(process.execPath, [join(dir, 'without.cjs')], { encoding: 'utf8' }));
  });

  describe('CEL, for the functions whose only CEL is the webhook mapping', () => {
    const webhook = { name: 'uptime', mapping: { title: 'payload.name', fingerprint: 'payload.id', severity: '"sev2"' } };
    const noWebhooks = configWith((c) => ({ ...c, sources: { ...c.sources, webhooks: [] } }));
    const withWebhooks = configWith((c) => ({ ...c, sources: { ...c.sources, webhooks: [webhook] } }));
    const celIn = (m: Metafile) => inputs(m).some((i) => i.includes('node_modules/@marcbachmann/cel-js/'));

    it.each(['ingestHttp', 'ingestEventBridge'] as const)('%s: left out without webhooks (and the bundle still loads), kept with them', async (name) => {
      const spec = FUNCTIONS[name];
      expect(spec.celOnlyForWebhooks).toBe(true);
      expect(celIn(await bundle({ file: spec.entry }, join(dir, `${name}-no-cel.cjs`), bundleAliases(noWebhooks, spec)))).toBe(false);
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(dir, `${name}-no-cel.cjs`))})`], { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' } });
      expect(celIn(await bundle({ file: spec.entry }, join(dir, `${name}-cel.cjs`), bundleAliases(withWebhooks, spec)))).toBe(true);
    });

    it('kept for a function that checks rules, webhooks or not', async () => {
      expect(celIn(await bundle({ file: FUNCTIONS.processAlerts.entry }, join(dir, 'pa.cjs'), bundleAliases(noWebhooks, functionSpec('processAlerts'))))).toBe(true);
    });
  });
});
