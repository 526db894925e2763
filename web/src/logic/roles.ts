/**
 * Roles (identity contract): viewer = every GET; responder = incident actions, notes, schedule overrides,
 * postmortem drafts and edits; admin = maintenance windows, status page writes, postmortem publish and reopen.
 * The console hides what a role may not do; the server enforces it regardless.
 */
import type { Identity } from '../types';

export type Role = Identity['role'];
export type Capability = 'incident.act' | 'oncall.override' | 'postmortem.edit' | 'postmortem.publish' | 'status.write' | 'maintenance.write';

const RANK: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };
const NEEDS: Record<Capability, Role> = {
  'incident.act': 'responder',
  'oncall.override': 'responder',
  'postmortem.edit': 'responder',
  'postmortem.publish': 'admin',
  'status.write': 'admin',
  'maintenance.write': 'admin',
};

export function can(role: Role, capability: Capability): boolean {
  return RANK[role] >= RANK[NEEDS[capability]];
}

export function isRole(x: unknown): x is Role {
  return x === 'viewer' || x === 'responder' || x === 'admin';
}

/**
 * The identity from GET /api/me's answer. A server without /api/me (404) predates roles: its one API token is an
 * admin. A 401 is no identity (the token is wrong).
 */
export function identityFrom(status: number, body: unknown): Identity | null {
  if (status === 404) return { actor: 'api', role: 'admin', via: 'api-token' };
  if (status !== 200 || typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  if (!isRole(b.role)) return null;
  return { actor: typeof b.actor === 'string' ? b.actor : 'unknown', role: b.role, via: typeof b.via === 'string' ? b.via : 'unknown' };
}
