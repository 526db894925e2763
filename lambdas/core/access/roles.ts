/**
 * The role model of the human API (README.md §HTTP contract, "Roles"): `viewer` reads, `responder` acts on incidents
 * (acknowledge, resolve, notes, reassign, snooze, escalate, schedule overrides, postmortem drafts and edits), `admin`
 * administers (maintenance windows, status page writes, postmortem publish and reopen, integrations). Each role
 * includes the ones before it. Pure.
 */
export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `have` includes `need` (admin > responder > viewer); no role includes nothing. */
export function roleIncludes(have: Role | null, need: Role): boolean {
  return have !== null && ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The highest of the roles given, or null. */
export function highestRole(roles: Iterable<Role | null | undefined>): Role | null {
  let best: Role | null = null;
  for (const r of roles) if (r && (best === null || ROLES.indexOf(r) > ROLES.indexOf(best))) best = r;
  return best;
}
