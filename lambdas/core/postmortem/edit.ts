/**
 * Editing a postmortem, pure: sections, checklist items and action items under an optimistic version check, and
 * the status changes draft <-> in_review -> published, published -> draft (reopen). Every change adds a revision
 * with its author. Unknown sections, checklists or items are a 400 naming them; a stale version, an edit of a
 * published postmortem or a second publish are a 409.
 */
import * as z from 'zod/mini';
import { BadRequestError, ConflictError } from '../errors';
import { REVISIONS_KEPT, type ActionItem, type Postmortem, type PostmortemStatus, type Revision } from './model';

const by = z.optional(z.string().check(z.minLength(1), z.maxLength(64)));
const version = z.int().check(z.minimum(1));
const isoDay = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as 2026-12-31'));

export const PostmortemPatchSchema = z.strictObject({
  /** The version the edit was made on; a stale one is a 409. */
  version,
  by,
  /** Section id -> its new text. */
  sections: z.optional(z.record(z.string().check(z.minLength(1), z.maxLength(64)), z.string().check(z.maxLength(20_000)))),
  /** Checklist name -> item id -> done. */
  checklists: z.optional(z.record(z.string().check(z.maxLength(64)), z.record(z.string().check(z.maxLength(16)), z.boolean()))),
  /** The full list of action items (an item without an id is new). */
  actionItems: z.optional(z.array(z.strictObject({
    id: z.optional(z.string().check(z.minLength(1), z.maxLength(16))),
    text: z.string().check(z.minLength(1), z.maxLength(1000)),
    owner: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(64)))),
    due: z.optional(z.nullable(isoDay)),
    done: z._default(z.boolean(), false),
  })).check(z.maxLength(100))),
  /** draft <-> in_review; publishing and reopening have their own routes. */
  status: z.optional(z.enum(['draft', 'in_review'])),
});
export type PostmortemPatch = z.infer<typeof PostmortemPatchSchema>;

export const PostmortemActionSchema = z.strictObject({ version, by });

function checkVersion(pm: Postmortem, expected: number): void {
  if (expected !== pm.version) {
    throw new ConflictError(`postmortem of ${pm.incidentId} is at version ${pm.version}, not ${expected}: reload and edit again`, { version: pm.version });
  }
}

function revised(pm: Postmortem, next: Omit<Postmortem, 'version' | 'updatedAt' | 'updatedBy' | 'history'>, at: string, author: string, changes: string[]): Postmortem {
  const v = pm.version + 1;
  const rev: Revision = { version: v, at, by: author, changes };
  return { ...next, version: v, updatedAt: at, updatedBy: author, history: [...pm.history, rev].slice(-REVISIONS_KEPT) };
}

export function applyPatch(pm: Postmortem, patch: PostmortemPatch, at: string, author: string): Postmortem {
  checkVersion(pm, patch.version);
  if (pm.status === 'published') throw new ConflictError(`postmortem of ${pm.incidentId} is published: reopen it before editing`, { status: pm.status });
  const changes: string[] = [];
  let { sections, checklists, actionItems, status } = pm;
  if (patch.sections) {
    const known = new Set(sections.map((s) => s.id));
    for (const id of Object.keys(patch.sections)) {
      if (!known.has(id)) throw new BadRequestError(`sections.${id}: unknown section "${id}" (template ${pm.template} has ${[...known].join(', ')})`, { field: `sections.${id}` });
    }
    const texts = patch.sections;
    sections = sections.map((s) => (texts[s.id] !== undefined ? { ...s, text: texts[s.id]! } : s));
    changes.push(...Object.keys(texts).map((id) => `sections.${id}`));
  }
  if (patch.checklists) {
    for (const [name, items] of Object.entries(patch.checklists)) {
      const list = checklists.find((c) => c.name === name);
      if (!list) throw new BadRequestError(`checklists.${name}: unknown checklist "${name}"`, { field: `checklists.${name}` });
      for (const id of Object.keys(items)) {
        if (!list.items.some((i) => i.id === id)) throw new BadRequestError(`checklists.${name}.${id}: unknown item "${id}"`, { field: `checklists.${name}.${id}` });
      }
      changes.push(`checklists.${name}`);
    }
    const edits = patch.checklists;
    checklists = checklists.map((c) => (edits[c.name] ? { ...c, items: c.items.map((i) => ({ ...i, done: edits[c.name]![i.id] ?? i.done })) } : c));
  }
  if (patch.actionItems) {
    const known = new Set(actionItems.map((a) => a.id));
    let next = actionItems.reduce((m, a) => Math.max(m, Number.parseInt(a.id, 10) || 0), 0);
    const seen = new Set<string>();
    actionItems = patch.actionItems.map((a, i): ActionItem => {
      if (a.id !== undefined && (!known.has(a.id) || seen.has(a.id))) {
        throw new BadRequestError(`actionItems[${i}].id: unknown or repeated action item "${a.id}"`, { field: `actionItems[${i}].id` });
      }
      const id = a.id ?? String(++next);
      seen.add(id);
      return { id, text: a.text, owner: a.owner ?? null, due: a.due ?? null, done: a.done };
    });
    changes.push('actionItems');
  }
  if (patch.status !== undefined && patch.status !== status) {
    status = patch.status;
    changes.push(`status:${status}`);
  }
  if (changes.length === 0) throw new BadRequestError('nothing to change: give sections, checklists, actionItems or status', { field: '(body)' });
  return revised(pm, { ...pm, sections, checklists, actionItems, status }, at, author, changes);
}

/** in_review -> published; the caller stores the rendered documents under the returned keys. */
export function publish(pm: Postmortem, expectedVersion: number, at: string, author: string): Postmortem {
  if (pm.status === 'published') throw new ConflictError(`postmortem of ${pm.incidentId} is already published (version ${pm.published?.version ?? pm.version})`, { status: pm.status });
  checkVersion(pm, expectedVersion);
  if (pm.status !== 'in_review') throw new ConflictError(`postmortem of ${pm.incidentId} is a draft: set status in_review before publishing`, { status: pm.status });
  const v = pm.version + 1;
  const keys = documentKeys(pm.incidentId, v);
  const next = revised(pm, { ...pm, status: 'published' as PostmortemStatus, published: { at, by: author, version: v, ...keys } }, at, author, ['status:published']);
  return next;
}

/** published -> draft. */
export function reopen(pm: Postmortem, expectedVersion: number, at: string, author: string): Postmortem {
  checkVersion(pm, expectedVersion);
  if (pm.status !== 'published') throw new ConflictError(`postmortem of ${pm.incidentId} is not published (status ${pm.status})`, { status: pm.status });
  return revised(pm, { ...pm, status: 'draft' }, at, author, ['status:draft (reopened)']);
}

/** Where the rendered documents of a publication are stored (S3 key / path under the data directory). */
export function documentKeys(incidentId: string, version: number): { markdownKey: string; htmlKey: string } {
  const base = `postmortems/${incidentId}/v${version}`;
  return { markdownKey: `${base}.md`, htmlKey: `${base}.html` };
}
