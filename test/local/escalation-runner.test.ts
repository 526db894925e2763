/**
 * The local escalation runner's journal: each change is one appended line (a page no longer rewrites the whole
 * journal), a restart resumes what the journal holds, and a torn last line (a kill during an append) is ignored.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EscalationState } from '../../lambdas/core/escalation/plan';
import { LocalEscalationRunner } from '../../lambdas/local/escalation-runner';

const definition = {
  StartAt: 'Wait',
  States: {
    Wait: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Page' },
    Page: { Type: 'Task', Resource: 'arn:aws:lambda:local:000000000000:function:page', End: true },
  },
};

const state = (incidentId: string, step = 1, waitSeconds = 600): EscalationState =>
  ({ incidentId, plan: { steps: [] }, step, waitSeconds, done: false }) as unknown as EscalationState;

describe('local escalation runner journal', () => {
  let dir: string;
  let journalPath: string;
  const runners: LocalEscalationRunner[] = [];
  const runner = (invokePage: (s: EscalationState) => Promise<unknown> = () => new Promise(() => {})) => {
    const r = new LocalEscalationRunner({ definition, tasks: { Page: async (s) => ({ ...s, done: true }) }, invokePage, journalPath });
    runners.push(r);
    return r;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'esc-journal-'));
    journalPath = join(dir, 'escalations.json');
  });
  afterEach(() => {
    for (const r of runners.splice(0)) r.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends one line per change instead of rewriting the whole journal on every page', async () => {
    const r = runner();
    await r.pageInline(state('inc-a'));
    const afterFirst = readFileSync(journalPath, 'utf8');
    await r.pageInline(state('inc-b'));
    await r.startExecution('inc-c-r1', state('inc-c'));
    const after = readFileSync(journalPath, 'utf8');
    expect(after.startsWith(afterFirst)).toBe(true); // what was written stays as it was: appended to, not rewritten
    expect(after.trim().split('\n')).toHaveLength(3);
  });

  it('resumes after a restart what the journal holds, ignoring a torn last line (a kill during an append)', async () => {
    const paged: string[] = [];
    const first = runner();
    await first.pageInline(state('inc-a'));
    await first.startExecution('inc-b-r1', state('inc-b'));
    await first.stopExecution('inc-b-r1');
    await first.startExecution('inc-c-r1', state('inc-c'));
    first.stopAll();
    appendFileSync(journalPath, '{"op":"set","name":"inc-d-r1","entry":{"sta');
    const second = runner(async (s) => void paged.push(s.incidentId));
    expect(second.resumeAll()).toBe(2);
    expect(second.active).toEqual(['inc-c-r1']);
    await new Promise((r) => setTimeout(r, 100)); // the inline page runs again (at least once, like an event invoke)
    expect(paged).toEqual(['inc-a']);
  });

  it('reads a journal written by the previous version (one JSON object) and keeps it', async () => {
    writeFileSync(journalPath, JSON.stringify({ 'inc-a-r1': { state: state('inc-a'), waitUntil: Date.now() + 600_000 } }));
    const r = runner();
    expect(r.resumeAll()).toBe(1);
    expect(r.active).toEqual(['inc-a-r1']);
    r.stopAll();
    expect(runner().resumeAll()).toBe(1);
  });
});
