import { ConfigError } from '../../../lambdas/core/errors';
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { templateFor } from '../../../lambdas/core/postmortem/config';

const base = { version: 1, teams: [{ name: 'platform' }], services: [{ name: 'platform', team: 'platform' }], routing: { default: { service: 'platform' } } };
const problem = (postmortems: unknown): string => {
  try {
    parsePipelineConfig({ ...base, postmortems });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a config error');
};

describe('postmortems config section', () => {
  it('defaults to auto-drafting sev1 with the built-in SRE template', () => {
    const cfg = parsePipelineConfig(base).postmortems;
    expect(cfg).toEqual({ autoDraftSeverities: ['sev1'], templates: [], checklists: [], nonEventWindowMinutes: 60 });
    expect(templateFor(cfg, 'sev2')?.sections.map((s) => s.id)).toContain('got-lucky');
  });

  it.each([
    ['a duplicate section id', { templates: [{ name: 't', sections: [{ id: 'a', title: 'A' }, { id: 'a', title: 'B' }] }] }, 'postmortems.templates[0].sections[1].id: duplicate section id "a"'],
    ['an unknown checklist', { templates: [{ name: 't', sections: [{ id: 'a', title: 'A' }], checklists: ['nope'] }] }, 'postmortems.templates[0].checklists[0]: unknown checklist "nope"'],
    ['a duplicate template', { templates: [{ name: 't', sections: [{ id: 'a', title: 'A' }] }, { name: 't', sections: [{ id: 'a', title: 'A' }] }] }, 'postmortems.templates[1].name: duplicate template "t"'],
    ['an unknown severity', { autoDraftSeverities: ['sev9'] }, 'postmortems.autoDraftSeverities[0]'],
    ['a section id with spaces', { templates: [{ name: 't', sections: [{ id: 'root cause', title: 'A' }] }] }, 'postmortems.templates[0].sections[0].id'],
  ])('refuses %s, naming the path', (_name, postmortems, message) => {
    expect(problem(postmortems)).toContain(message);
  });

  it('picks a template by name, then by severity, then default (a configured default replaces the built-in one)', () => {
    const cfg = parsePipelineConfig({ ...base, postmortems: { templates: [{ name: 'major', severities: ['sev1'], sections: [{ id: 'summary', title: 'Summary' }] }, { name: 'default', sections: [{ id: 'what', title: 'What' }] }] } }).postmortems;
    expect(templateFor(cfg, 'sev1')?.name).toBe('major');
    expect(templateFor(cfg, 'sev3')?.sections.map((s) => s.id)).toEqual(['what']);
    expect(templateFor(cfg, 'sev3', 'major')?.name).toBe('major');
    expect(templateFor(cfg, 'sev3', 'nope')).toBeNull();
  });
});
