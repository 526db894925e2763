/**
 * The local stand-in for Step Functions: runs the synthesized escalation definition with aws-local-stepfunctions,
 * each Task state mapped to the handler of the function it invokes in AWS (the escalation-step handler for Page),
 * called with the Task's payload (the state input) and returning its result (the next state). Executions are
 * journaled in the data directory (name, state, when the current wait ends) so a restart resumes them where they
 * were; StopExecution aborts.
 *
 * The journal is append-only JSON lines, one per change (`set` an execution's entry, `del` it), written before the
 * change takes effect, so a page costs one small append instead of a rewrite of every live execution. On open it is
 * replayed (a torn last line from a kill during an append is ignored; a whole-object journal of the previous
 * version is read as a snapshot) and compacted to the live entries (atomic rename); it is compacted again once it
 * holds many more lines than live entries.
 */
// First: aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
import './promise-with-resolvers';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import type { EscalationState } from '../core/escalation/plan';
import type { EscalationTransport } from '../core/ports';
import { ESCALATION_STATES } from '../../lib/constructs/escalation-states';

interface Journaled {
  state: EscalationState;
  /** When the current Wait ends (epoch ms). */
  waitUntil: number;
  /** An inline page (no execution) not finished yet: re-run after a restart, like a Lambda event invoke. */
  inline?: true;
}

type JournalLine = { op: 'set'; name: string; entry: Journaled } | { op: 'del'; name: string };

export interface LocalRunnerOptions {
  definition: Record<string, unknown>;
  /** Task state name -> the function handler behind it: the payload in, the result (the next state) out. */
  tasks: Record<string, (payload: EscalationState) => Promise<EscalationState>>;
  /** Runs the Page function's handler for an inline page (a Lambda event invoke in AWS: nobody waits for it). */
  invokePage(payload: EscalationState): Promise<unknown>;
  journalPath: string;
  /** Divides every wait (local demos: 60 turns minutes into seconds). Default 1. */
  timeScale?: number;
  onError?(name: string, err: unknown): void;
}

export class LocalEscalationRunner implements EscalationTransport {
  private readonly machine: StateMachine;
  private readonly running = new Map<string, { abort(): void; done: Promise<unknown> }>();
  private readonly inline = new Map<string, Promise<unknown>>();
  private readonly journal: Record<string, Journaled> = {};
  /** Append handle of the journal file, and the lines appended since the last compaction. */
  private fd: number;
  private appended = 0;
  /** State transitions per execution (states entered), for benchmarks and tests. */
  readonly transitions = new Map<string, number>();
  private readonly scale: number;

  constructor(private readonly options: LocalRunnerOptions) {
    this.machine = new StateMachine(options.definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
    this.scale = options.timeScale && options.timeScale > 0 ? options.timeScale : 1;
    this.replay();
    this.fd = this.compact();
  }

  /** Names of executions still running. */
  get active(): string[] {
    return [...this.running.keys()];
  }

  /** Resumes every journaled execution (after a restart): the current wait continues for what is left of it. */
  resumeAll(): number {
    const now = Date.now();
    let n = 0;
    for (const [name, j] of Object.entries(this.journal)) {
      if (this.running.has(name) || this.inline.has(name)) continue;
      if (j.inline) this.runInline(name, j.state);
      else this.launch(name, j.state, Math.max(0, j.waitUntil - now));
      n++;
    }
    return n;
  }

  async startExecution(name: string, state: EscalationState): Promise<void> {
    if (this.running.has(name) || this.journal[name]) return; // same name: already started
    this.launch(name, state, (state.waitSeconds * 1000) / this.scale);
  }

  async stopExecution(name: string): Promise<void> {
    this.running.get(name)?.abort();
    this.running.delete(name);
    this.forget(name);
  }

  /**
   * As in AWS (a Lambda event invoke), the caller does not wait for the page: a page over a channel's rate cap can
   * wait for the next minute window, which must not hold up the queue consumer. The page is journaled first, so a
   * restart runs it again (at least once, like an event invoke).
   */
  async pageInline(state: EscalationState): Promise<void> {
    const name = `${state.incidentId}-inline-${state.step}`;
    if (this.inline.has(name)) return;
    this.set(name, { state, waitUntil: Date.now(), inline: true });
    this.runInline(name, state);
  }

  private runInline(name: string, state: EscalationState): void {
    const done = this.options.invokePage(state)
      .then(() => this.forget(name))
      .catch((err: unknown) => {
        this.forget(name);
        this.options.onError?.(name, err);
      })
      .finally(() => this.inline.delete(name));
    this.inline.set(name, done);
  }

  /** Resolves when every execution and inline page has finished or been stopped. */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.inline.size > 0) {
      await Promise.allSettled([...[...this.running.values()].map((r) => r.done), ...this.inline.values()]);
    }
  }

  /** Aborts every execution and closes the journal (what is journaled resumes at the next start). */
  stopAll(): void {
    for (const r of this.running.values()) r.abort();
    this.running.clear();
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  /**
   * Runs one execution. The state keeps whole seconds (as Step Functions requires); the actual local wait comes from
   * a wait-time override read at each Wait state: scaled by timeScale, or what is left of a wait after a restart.
   */
  private launch(name: string, state: EscalationState, firstWaitMs: number): void {
    let waitMs = firstWaitMs;
    this.record(name, state, waitMs);
    const task = (handler: (payload: EscalationState) => Promise<EscalationState>) => async (input: unknown) => {
      const next = await handler(input as EscalationState);
      waitMs = (next.waitSeconds * 1000) / this.scale;
      if (next.done) this.forget(name);
      else this.record(name, next, waitMs);
      return next as never;
    };
    const taskResourceLocalHandlers = Object.fromEntries(Object.entries(this.options.tasks).map(([state, handler]) => [state, task(handler)]));
    const waitTimeOverrides = {
      get [ESCALATION_STATES.wait]() {
        return waitMs;
      },
    };
    const execution = this.machine.run(state as never, {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides, ...(this.scale === 1 ? {} : { retryIntervalOverrides: this.retryIntervals() }) },
      noThrowOnAbort: true,
    });
    let transitions = this.transitions.get(name) ?? 0;
    void (async () => {
      for await (const ev of execution.eventLogs) {
        if ((ev as { type?: string }).type === 'StateEntered') this.transitions.set(name, ++transitions);
      }
    })().catch(() => {});
    const done = execution.result
      .then(() => this.forget(name))
      .catch((err: unknown) => {
        this.forget(name);
        this.options.onError?.(name, err);
      })
      .finally(() => this.running.delete(name));
    this.running.set(name, { abort: execution.abort, done });
  }

  /** Each retrier's first interval of every state, scaled like the waits (backoff is not modelled when scaled). */
  private retryIntervals(): Record<string, number[]> {
    const states = ((this.options.definition as { States?: Record<string, { Retry?: Array<{ IntervalSeconds?: number }> }> }).States) ?? {};
    return Object.fromEntries(Object.entries(states).filter(([, s]) => s.Retry).map(([name, s]) => [name, s.Retry!.map((r) => ((r.IntervalSeconds ?? 1) * 1000) / this.scale)]));
  }

  private record(name: string, state: EscalationState, waitMs: number): void {
    this.set(name, { state, waitUntil: Date.now() + waitMs });
  }

  private forget(name: string): void {
    if (!this.journal[name]) return;
    delete this.journal[name];
    this.append({ op: 'del', name });
  }

  private set(name: string, entry: Journaled): void {
    this.journal[name] = entry;
    this.append({ op: 'set', name, entry });
  }

  /** One line per change (after stopAll, e.g. a late task result, nothing is written: the journal is closed). */
  private append(line: JournalLine): void {
    if (this.fd < 0) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    if (++this.appended > 1_000 && this.appended > 4 * Object.keys(this.journal).length) {
      closeSync(this.fd);
      this.fd = this.compact();
    }
  }

  private replay(): void {
    if (!existsSync(this.options.journalPath)) return;
    for (const text of readFileSync(this.options.journalPath, 'utf8').split('\n')) {
      if (!text.trim()) continue;
      let line: JournalLine | Record<string, Journaled>;
      try {
        line = JSON.parse(text) as JournalLine | Record<string, Journaled>;
      } catch {
        continue; // a torn append (kill during the write): the change it carried had not taken effect
      }
      if (line.op === 'set') this.journal[(line as JournalLine & { op: 'set' }).name] = (line as JournalLine & { op: 'set' }).entry;
      else if (line.op === 'del') delete this.journal[(line as JournalLine).name];
      else Object.assign(this.journal, line); // the previous version's journal: one object of every entry
    }
  }

  /** Rewrites the journal with one `set` line per live entry (atomic rename) and returns an append handle. */
  private compact(): number {
    const tmp = `${this.options.journalPath}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, Object.entries(this.journal).map(([name, entry]) => `${JSON.stringify({ op: 'set', name, entry } satisfies JournalLine)}\n`).join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.options.journalPath);
    this.appended = 0;
    return openSync(this.options.journalPath, 'a');
  }
}
