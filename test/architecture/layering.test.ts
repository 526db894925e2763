/**
 * The architecture rules of docs/architecture.md §Layering, checked on every `npm test`:
 *
 * - purity: nothing under lambdas/core imports AWS, middy, CDK, Powertools or node I/O, reads the environment, the
 *   clock or randomness (time, ids and randomness are inputs);
 * - direction: core <- adapters <- handlers <- local; lib (the CDK app) imports only the shared contracts listed in
 *   LIB_CONTRACTS and never reaches handler, adapter or local runtime code, even through another file;
 * - no import cycles under lambdas/ and lib/;
 * - no bare `throw new Error(` under lambdas/ and lib/ (use a class of lambdas/core/errors.ts);
 * - no citation of a document outside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyze, findCycles, listSources, ROOT, type SourceFileInfo } from './source-graph';

type Layer = 'core' | 'adapters' | 'handlers' | 'local' | 'lib' | 'bin' | 'tooling';

function layerOf(path: string): Layer {
  if (path.startsWith('lambdas/core/')) return 'core';
  if (path.startsWith('lambdas/adapters/')) return 'adapters';
  if (path.startsWith('lambdas/handlers/')) return 'handlers';
  if (path.startsWith('lambdas/local/')) return 'local';
  if (path.startsWith('lib/')) return 'lib';
  if (path.startsWith('bin/')) return 'bin';
  return 'tooling'; // scripts/, bench/, test/: may import anything
}

/** What each layer may import from the repository (besides LIB_CONTRACTS for lib). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  core: ['core'],
  adapters: ['core', 'adapters'],
  handlers: ['core', 'adapters', 'handlers'],
  // The local runtime sits on top: it also reads the CDK app (config loader, the synthesized state machine).
  local: ['core', 'adapters', 'handlers', 'local', 'lib'],
  lib: ['lib'],
  bin: ['lib', 'core'],
  tooling: ['core', 'adapters', 'handlers', 'local', 'lib', 'bin', 'tooling'],
};

/**
 * The files under lambdas/ that the CDK app may import: shared contracts, no runtime code. Each is pure data,
 * types or a pure function; the core they pull in transitively is pure too.
 */
const LIB_CONTRACTS: Record<string, string> = {
  'lambdas/core/config/pipeline-config.schema.ts': 'the config schema, validated at synth',
  'lambdas/core/config/parse-pipeline-config-text.ts': 'the config loader (YAML text to a validated config)',
  'lambdas/core/errors.ts': 'ConfigError, thrown by the loader and the constructs',
  'lambdas/core/config/access.schema.ts': 'the access section (Cognito or OIDC, role mapping, machine clients) and the role scopes',
  'lambdas/core/access/roles.ts': 'the roles (Cognito groups and machine client scopes)',
  'lambdas/adapters/dynamodb/table-schema.ts': 'the incident table description (keys, indexes), shared with the local runtime',
  'lambdas/handlers/shared/env-names.ts': 'the environment variable names the stack sets and the handlers read',
  'lambdas/handlers/routes.ts': 'the route table (which function serves which route, with which auth)',
  'lambdas/handlers/api-routes.ts': 'the routes people call (the API by route group, the one-click links), part of the route table',
  'lambdas/handlers/functions.ts': 'the function table (entry file, environment, grants and triggers of every function; types only)',
  'lambdas/core/notify/channels/index.ts': 'the channel registry (which channel types need a secret or an SNS grant)',
  'lambdas/core/normalize/registry.ts': 'the source registry (ingest routes, EventBridge rules, stack outputs)',
  'lambdas/core/insights/config.ts': 'the insights config section and the history columns (the Glue table of the history)',
  'lambdas/core/integrations/config.ts': 'the ingest integrations (which have a token secret of their own, their endpoints)',
  'lambdas/core/metric-names.ts': "the names of the pipeline's own metrics (emitted by the handlers, alarmed and graphed by the stack)",
};

/** Packages the core may use: pure computation only. Anything else (AWS SDK, middy, CDK, node I/O) fails. */
const CORE_PACKAGES: Record<string, string> = {
  'zod/mini': 'payload and config schemas',
  zod: 'payload and config schemas',
  luxon: 'time zones and calendar arithmetic (never its clock: DateTime.now() is forbidden below)',
  rrule: 'recurrence rules of maintenance windows and schedules',
  yaml: 'parsing config text handed in by the caller',
  '@marcbachmann/cel-js': 'the CEL rule expressions',
  feed: 'the Atom feed of the status page (XML built from data, no I/O)',
  'node:crypto': 'hashes and HMACs (fingerprints, signed links); its random functions are forbidden below',
};

/**
 * Clock, randomness or environment reads allowed in the core, by file and use, each with its reason. Empty: time,
 * ids and randomness are inputs everywhere in the core today.
 */
const CORE_IMPURITY_EXCEPTIONS: Record<string, { what: string; reason: string }[]> = {};

const SCANNED = ['lambdas', 'lib', 'bin', 'scripts', 'bench', 'test'];
const all = new Map<string, SourceFileInfo>(listSources(SCANNED).map((p) => [p, analyze(p)]));
const files = (pred: (p: string) => boolean): SourceFileInfo[] => [...all.values()].filter((f) => pred(f.path));
const core = files((p) => layerOf(p) === 'core');
const runtime = files((p) => p.startsWith('lambdas/') || p.startsWith('lib/'));

describe('purity of lambdas/core', () => {
  it('finds the core', () => {
    expect(core.length).toBeGreaterThan(40);
  });

  it('imports only pure packages (no AWS SDK, middy, CDK, Powertools, node I/O)', () => {
    const violations = core.flatMap((f) =>
      f.imports
        .filter((i) => i.target === null && !(i.specifier in CORE_PACKAGES))
        .map((i) => `${f.path}:${i.line} imports '${i.specifier}'`),
    );
    expect(violations).toEqual([]);
  });

  it('imports no random function of node:crypto', () => {
    const random = /^(randomUUID|randomBytes|randomInt|randomFill|randomFillSync|getRandomValues|webcrypto)$/;
    const violations = core.flatMap((f) =>
      f.imports
        .filter((i) => i.specifier === 'node:crypto' && i.names.some((n) => random.test(n)))
        .map((i) => `${f.path}:${i.line} imports ${i.names.filter((n) => random.test(n)).join(', ')} from node:crypto`),
    );
    expect(violations).toEqual([]);
  });

  it('reads no environment, clock or randomness of its own (they are inputs)', () => {
    const violations = core.flatMap((f) =>
      f.impure
        .filter((u) => !(CORE_IMPURITY_EXCEPTIONS[f.path] ?? []).some((e) => e.what === u.what))
        .map((u) => `${f.path}:${u.line} uses ${u.what}`),
    );
    expect(violations).toEqual([]);
  });
});

describe('dependency direction (core <- adapters <- handlers <- local; lib uses shared contracts only)', () => {
  it('every import points down or sideways', () => {
    const violations = files((p) => layerOf(p) !== 'tooling').flatMap((f) => {
      const from = layerOf(f.path);
      return f.imports
        .filter((i) => i.target !== null)
        .filter((i) => {
          const to = layerOf(i.target!);
          if (MAY_IMPORT[from].includes(to)) return false;
          return !(from === 'lib' && i.target! in LIB_CONTRACTS);
        })
        .map((i) => `${f.path}:${i.line} (${from}) imports ${i.target} (${layerOf(i.target!)})`);
    });
    expect(violations).toEqual([]);
  });

  it('lib never reaches handler, adapter or local runtime code, even through a contract', () => {
    const reached = new Map<string, string>(); // file -> the lib file whose imports led there
    const queue = files((p) => layerOf(p) === 'lib').map((f) => [f.path, f.path] as const);
    const seen = new Set<string>(queue.map(([p]) => p));
    while (queue.length > 0) {
      const [path, via] = queue.shift()!;
      for (const i of all.get(path)?.imports ?? []) {
        if (i.target === null || seen.has(i.target)) continue;
        seen.add(i.target);
        reached.set(i.target, via);
        queue.push([i.target, via]);
      }
    }
    const violations = [...reached]
      .filter(([p]) => ['adapters', 'handlers', 'local'].includes(layerOf(p)) && !(p in LIB_CONTRACTS))
      .map(([p, via]) => `${via} reaches ${p}`);
    expect(violations).toEqual([]);
  });

  it('the contracts lib may import exist', () => {
    expect(Object.keys(LIB_CONTRACTS).filter((p) => !all.has(p))).toEqual([]);
  });
});

describe('no import cycles under lambdas/ and lib/', () => {
  it('has none (type-only imports count: a cycle of types is still a knot)', () => {
    const cycles = findCycles(new Map(runtime.map((f) => [f.path, f])));
    expect(cycles.map((c) => c.join(' -> '))).toEqual([]);
  });
});

describe('ports in one place', () => {
  const PORTS = 'lambdas/core/ports.ts';

  it('every interface an adapter implements is a port declared in lambdas/core/ports.ts', () => {
    const violations = files((p) => ['adapters', 'local'].includes(layerOf(p))).flatMap((f) =>
      f.implemented
        .filter((u) => f.imports.find((i) => i.names.includes(u.what))?.target !== PORTS)
        .map((u) => `${f.path}:${u.line} implements ${u.what}, which is not imported from ${PORTS}`),
    );
    expect(violations).toEqual([]);
  });

  it('no other file declares a type of the same name as a port', () => {
    const ports = new Set(all.get(PORTS)!.declaredTypes);
    const violations = runtime
      .filter((f) => f.path !== PORTS)
      .flatMap((f) => f.declaredTypes.filter((t) => ports.has(t)).map((t) => `${f.path} declares ${t}`));
    expect(violations).toEqual([]);
  });
});

describe('typed errors', () => {
  it('no bare `throw new Error(` under lambdas/ and lib/ (use a class of lambdas/core/errors.ts)', () => {
    const violations = runtime.flatMap((f) => f.bareThrows.map((t) => `${f.path}:${t.line} ${t.what}`));
    expect(violations).toEqual([]);
  });
});

describe('self-contained docs', () => {
  // Documents the team keeps outside the repository. The repository's own versions live in docs/: cite them as
  // `docs/<name>.md` (a doc in docs/ may link its sibling as `<name>.md`).
  const OUTSIDE_PATH = /\.\.\/shared\b|\/work\/shared\b|\bshared\/docs\//;
  const NAMED = /(?<![\w.-])((?:[\w.-]+\/)*)(product|formats|toolchain|platform-numbers|peers|style-guide)\.md\b/g;
  const texts = [
    ...listSources(SCANNED, ['.ts', '.js', '.cjs', '.mjs', '.json', '.yaml', '.yml']),
    ...listSources(['config'], ['.yaml', '.yml', '.md']),
    ...['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'package.json', 'cdk.json', 'jest.config.js'].filter((p) => existsSync(join(ROOT, p))),
    ...(existsSync(join(ROOT, 'docs')) ? readdirSync(join(ROOT, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`) : []),
  ].filter((p) => p !== 'test/architecture/layering.test.ts');

  // A relative module specifier that resolves to a file of the repository (`'../shared/http'` from a subfolder of
  // lambdas/handlers) is an import, not a citation.
  const inRepoSpecifier = (path: string, spec: string): boolean =>
    ['', '.ts', '/index.ts'].some((ext) => {
      const target = join(ROOT, dirname(path), spec + ext);
      return target.startsWith(ROOT) && existsSync(target);
    });
  function outsideCitations(path: string, rawLine: string): string[] {
    const found: string[] = [];
    const line = rawLine.replace(/(['"])(\.\.?\/[^'"]*)\1/g, (whole, _q, spec: string) => (inRepoSpecifier(path, spec) ? "''" : whole));
    if (OUTSIDE_PATH.test(line)) found.push(line.match(OUTSIDE_PATH)![0]);
    for (const m of line.matchAll(NAMED)) {
      const [whole, prefix, name] = m;
      const inDocs = path.startsWith('docs/') && prefix === '' && existsSync(join(ROOT, 'docs', `${name}.md`));
      const viaDocs = /(^|\/)docs\/$/.test(prefix ?? '') && existsSync(join(ROOT, 'docs', `${name}.md`));
      if (!inDocs && !viaDocs) found.push(whole);
    }
    return found;
  }

  it('no source, test or doc cites a file outside the repository', () => {
    const violations = texts.flatMap((p) =>
      readFileSync(join(ROOT, p), 'utf8')
        .split('\n')
        .flatMap((line, n) => outsideCitations(p, line).map((c) => `${p}:${n + 1} cites ${c}`)),
    );
    expect(violations).toEqual([]);
  });
});
