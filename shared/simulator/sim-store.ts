/**
 * The simulator's persistence: every access reads the file, validates it, and (for a change) writes it back
 * atomically. State lives in the file, never in memory, so several processes (CLI, `serverless invoke local`,
 * the Functions Framework server) can use one file one after another. Within one process all accesses to a
 * file are serialised, because the core withdraws paths concurrently.
 */
import { readIfExists, withFileLock, writeFileAtomic } from '../ledger/file-ledger';
import { CorruptStateError } from '../errors';
import { simStateSchema, type SimState } from './sim-state';
import { incidentTopology } from './topology';

export class SimStore {
  constructor(readonly file: string, private readonly initial: () => SimState = incidentTopology) {}

  /** A validated copy of the current state (creates the file with the built-in topology when absent). */
  read(): Promise<SimState> {
    return withFileLock(this.file, () => this.load());
  }

  /**
   * Read → change → write, atomically with respect to this process. `change` mutates the state it is given and
   * returns a result; when it throws, nothing is written.
   */
  update<T>(change: (state: SimState) => T): Promise<T> {
    return withFileLock(this.file, () => {
      const state = this.load();
      const result = change(state);
      this.save(state);
      return result;
    });
  }

  private load(): SimState {
    const text = readIfExists(this.file);
    if (text === undefined) {
      const state = this.initial();
      this.save(state);
      return state;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorruptStateError(`simulator file ${this.file} is not valid JSON (${(e as Error).message}); it was left untouched — fix or remove it`);
    }
    const parsed = simStateSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : '(root)';
      throw new CorruptStateError(`simulator file ${this.file} is invalid at ${where}: ${issue?.message ?? 'invalid'}; it was left untouched — fix or remove it`);
    }
    return parsed.data;
  }

  private save(state: SimState): void {
    // Re-validate before writing: a bug in a port must never leave an unreadable file behind.
    const checked = simStateSchema.parse(state);
    writeFileAtomic(this.file, `${JSON.stringify(checked, null, 2)}\n`);
  }
}
