/**
 * The `postmortems:` section of the pipeline config: which severities are drafted automatically, the templates
 * (sections with id, title, prompt) and the reusable checklists. The built-in `default` template follows the
 * common SRE sections; a configured template named `default` replaces it.
 */
import * as z from 'zod/mini';
import { SEVERITIES } from '../model/alert';

const sectionId = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,47}$/, 'section ids are lowercase letters, digits and "-"'));
const templateName = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a name of letters, digits, "_", "." and "-"'));

export const PostmortemSectionConfigSchema = z.strictObject({
  id: sectionId,
  title: z.string().check(z.minLength(1), z.maxLength(120)),
  prompt: z._default(z.string().check(z.maxLength(1000)), ''),
});

export const PostmortemTemplateSchema = z.strictObject({
  name: templateName,
  sections: z.array(PostmortemSectionConfigSchema).check(z.minLength(1), z.maxLength(40)),
  /** Checklists (by name) copied into every postmortem of this template. */
  checklists: z._default(z.array(templateName), []),
  /** Severities that use this template (the first template naming a severity wins; others use `default`). */
  severities: z._default(z.array(z.enum(SEVERITIES)), []),
});

export const ChecklistSchema = z.strictObject({
  name: templateName,
  items: z.array(z.string().check(z.minLength(1), z.maxLength(300))).check(z.minLength(1), z.maxLength(100)),
});

export const PostmortemsConfigSchema = z.strictObject({
  /** Incidents of these severities get a draft when they resolve (drafted on first read, see docs/postmortems.md). */
  autoDraftSeverities: z._default(z.array(z.enum(SEVERITIES)), ['sev1']),
  templates: z._default(z.array(PostmortemTemplateSchema), []),
  checklists: z._default(z.array(ChecklistSchema), []),
  /** Minutes before opening and after resolving searched for non-events. */
  nonEventWindowMinutes: z._default(z.int().check(z.minimum(0), z.maximum(24 * 60)), 60),
});

export type PostmortemsConfig = z.infer<typeof PostmortemsConfigSchema>;
export type PostmortemTemplate = z.infer<typeof PostmortemTemplateSchema>;
export type Checklist = z.infer<typeof ChecklistSchema>;

export const DEFAULT_POSTMORTEMS_CONFIG: PostmortemsConfig = { autoDraftSeverities: ['sev1'], templates: [], checklists: [], nonEventWindowMinutes: 60 };

const s = (id: string, title: string, prompt: string) => ({ id, title, prompt });

/** The built-in template: the sections the Google SRE, Atlassian and PagerDuty templates agree on. */
export const DEFAULT_TEMPLATE: PostmortemTemplate = {
  name: 'default',
  checklists: [],
  severities: [],
  sections: [
    s('summary', 'Summary', 'What happened, in two or three sentences.'),
    s('impact', 'Impact', 'Who and what was affected, for how long, and how badly.'),
    s('detection', 'Detection', 'How and when the problem was detected; how it could have been detected sooner.'),
    s('response', 'Response', 'Who responded and what they did.'),
    s('recovery', 'Recovery', 'How service was restored.'),
    s('timeline', 'Timeline', 'Notes on the timeline below (drafted from the incident record).'),
    s('contributing-factors', 'Contributing factors', 'What made this possible or worse (no blame: systems and processes).'),
    s('went-well', 'What went well', ''),
    s('went-badly', 'What went badly', ''),
    s('got-lucky', 'Where we got lucky', ''),
    s('action-items', 'Action items', 'Notes on the action items listed below.'),
  ],
};

/** Config problems the schema cannot see: duplicate names and section ids, unknown checklists. */
export function postmortemConfigProblems(cfg: PostmortemsConfig): Array<{ path: PropertyKey[]; message: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  const seen = new Set<string>();
  cfg.checklists.forEach((c, i) => {
    if (seen.has(c.name)) problems.push({ path: ['postmortems', 'checklists', i, 'name'], message: `duplicate checklist "${c.name}"` });
    seen.add(c.name);
  });
  const names = new Set<string>();
  cfg.templates.forEach((t, i) => {
    if (names.has(t.name)) problems.push({ path: ['postmortems', 'templates', i, 'name'], message: `duplicate template "${t.name}"` });
    names.add(t.name);
    const ids = new Set<string>();
    t.sections.forEach((sec, j) => {
      if (ids.has(sec.id)) problems.push({ path: ['postmortems', 'templates', i, 'sections', j, 'id'], message: `duplicate section id "${sec.id}"` });
      ids.add(sec.id);
    });
    t.checklists.forEach((c, j) => {
      if (!seen.has(c)) problems.push({ path: ['postmortems', 'templates', i, 'checklists', j], message: `unknown checklist "${c}"` });
    });
  });
  return problems;
}

/** The template for an incident: one named explicitly, else the first naming its severity, else `default`. */
export function templateFor(cfg: PostmortemsConfig, severity: string, name?: string): PostmortemTemplate | null {
  const all = [...cfg.templates, ...(cfg.templates.some((t) => t.name === 'default') ? [] : [DEFAULT_TEMPLATE])];
  if (name !== undefined) return all.find((t) => t.name === name) ?? null;
  return all.find((t) => (t.severities as string[]).includes(severity)) ?? all.find((t) => t.name === 'default') ?? DEFAULT_TEMPLATE;
}
