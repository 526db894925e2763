/**
 * The Node.js versions the local runtime and the scripts support (package.json `engines`): 20.19 or later (Node 20
 * is past its end of life but still common), 22 and 24. Older versions are neither tested nor supported, so every
 * entry point stops at start-up with a clear message instead of failing somewhere later.
 */

export const MINIMUM_NODE = { major: 20, minor: 19 } as const;

/** The problem with `version` (e.g. "20.18.1" or "v20.18.1"), or null when it is supported. */
export function unsupportedNodeVersion(version: string): string | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return `cannot read the Node.js version "${version}"; Node.js ${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}+ (22 or 24 recommended) is required`;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor)) return null;
  return `Node.js ${m[1]}.${m[2]}.${m[3]} is not supported: use Node.js ${MINIMUM_NODE.major}.${MINIMUM_NODE.minor} or later (22 or 24 recommended)`;
}

/** At start-up: prints the problem and exits 1 on an unsupported Node.js. */
export function exitOnUnsupportedNode(version: string = process.versions.node): void {
  const problem = unsupportedNodeVersion(version);
  if (problem === null) return;
  console.error(problem);
  process.exit(1);
}
