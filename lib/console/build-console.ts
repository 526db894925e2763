/**
 * Builds the web console (web/, Vite) when its build is missing or stale. Used by `npm start` (prestart), by the
 * browser tests and by the CDK console site's local bundling, so a fresh clone needs no second command.
 *
 * Stale = the hash of the console's sources (every file under web/ but dist/) and of package-lock.json differs from
 * the one written next to the last build (web/dist/.inputs-hash, never uploaded).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from '../../lambdas/core/errors';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const WEB_DIR = join(PROJECT_ROOT, 'web');
export const CONSOLE_DIST = join(WEB_DIR, 'dist');
/** Written next to a build: the hash of what it was built from. Not a console file (never served or uploaded). */
export const INPUTS_HASH_FILE = '.inputs-hash';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' || e.name === 'node_modules' ? [] : sourceFiles(p);
    return [p];
  });
}

/** The hash of the console's inputs: its sources and the lockfile (dependency versions). */
export function consoleInputsHash(): string {
  const h = createHash('sha256');
  for (const f of [...sourceFiles(WEB_DIR).sort(), join(PROJECT_ROOT, 'package-lock.json')]) {
    h.update(relative(PROJECT_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** Runs `vite build` of web/ into `outDir`; throws with vite's output when it fails. */
export function buildConsole(outDir: string = CONSOLE_DIST): void {
  const vite = join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw ConfigError.problem('cannot build the console: vite is not installed (run npm install)');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(WEB_DIR, 'vite.config.mjs'), '--outDir', outDir, '--emptyOutDir'], {
    cwd: WEB_DIR, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw ConfigError.problem(`console build failed (vite build exited ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

/** Builds web/dist when it is missing or built from other sources; answers whether it built. */
export function ensureConsoleBuilt(): { built: boolean; dir: string } {
  const hash = consoleInputsHash();
  const stamp = join(CONSOLE_DIST, INPUTS_HASH_FILE);
  if (existsSync(join(CONSOLE_DIST, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return { built: false, dir: CONSOLE_DIST };
  // Built aside, then swapped in: a server reading web/dist never sees half a build.
  const aside = `${CONSOLE_DIST}.${process.pid}.tmp`;
  try {
    buildConsole(aside);
    writeFileSync(join(aside, INPUTS_HASH_FILE), hash);
    rmSync(CONSOLE_DIST, { recursive: true, force: true });
    renameSync(aside, CONSOLE_DIST);
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  return { built: true, dir: CONSOLE_DIST };
}
