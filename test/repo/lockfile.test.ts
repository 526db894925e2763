/**
 * The committed lockfile must be complete for every platform: `npm ci` on macOS or Windows needs the other-OS
 * optional packages (native builds of @swc/core, jest's resolver bindings) listed, and `npm install` on a clean
 * clone must leave `package-lock.json` unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Where npm would install `name` for the package at `from`: the nearest node_modules up the tree that lists it. */
function resolves(packages: Record<string, LockEntry>, from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/** Every dependency and optional dependency a locked package declares that the lockfile does not hold. */
export function missingFromLockfile(lock: { packages: Record<string, LockEntry> }): string[] {
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      if (!resolves(lock.packages, path, name)) missing.push(`${path || '(root)'} -> ${name}`);
    }
  }
  return missing;
}

describe('package-lock.json', () => {
  const lock = JSON.parse(readFileSync(join(__dirname, '../../package-lock.json'), 'utf8'));

  it('lists every optional platform package, so npm ci works on every OS', () => {
    expect(missingFromLockfile(lock)).toEqual([]);
  });

  it('detects a lockfile with an other-OS build missing', () => {
    const broken = structuredClone(lock);
    delete broken.packages['node_modules/@swc/core-darwin-arm64'];
    expect(missingFromLockfile(broken)).toContain('node_modules/@swc/core -> @swc/core-darwin-arm64');
  });
});
