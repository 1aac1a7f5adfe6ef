/**
 * The simulator's persistence: every access reads the file, validates it, and (for a change) writes it back
 * atomically. State lives in the file, never in memory, so several processes (CLI, `serverless invoke local`,
 * the Functions Framework server) can use one file one after another. Within one process all accesses to a
 * file are serialised, because the core withdraws paths concurrently.
 */
import { zodWhere } from '../shared/result';
import { resolve } from 'node:path';
import { readIfExists, withFileLock, writeFileAtomic } from './file-ledger';
import { CorruptStateError } from '../shared/errors';
import { simStateSchema, type SimState } from './sim-state';
import { incidentTopology } from './topology';

/** What the simulator's calls need from a store: a validated copy, and an atomic read → change → write. */
export interface StateStore {
  read(): Promise<SimState>;
  update<T>(change: (state: SimState) => T): Promise<T>;
}

export class SimStore implements StateStore {
  /** Lock key: the absolute path, so two handles naming one file differently still serialise. */
  private readonly key: string;

  constructor(
    readonly file: string,
    private readonly initial: () => SimState = incidentTopology,
  ) {
    this.key = resolve(file);
  }

  /** A validated copy of the current state (creates the file with the built-in topology when absent). */
  read(): Promise<SimState> {
    return withFileLock(this.key, () => this.load().state);
  }

  /**
   * Read → change → write, atomically with respect to this process. `change` mutates the state it is given and
   * returns a result; when it throws, nothing is written.
   */
  update<T>(change: (state: SimState) => T): Promise<T> {
    return withFileLock(this.key, () => {
      const { state, text } = this.load();
      const result = change(state);
      const next = this.serialise(state);
      // An idempotent no-op ("already in state") leaves the file as it is.
      if (next !== text) writeFileAtomic(this.file, next);
      return result;
    });
  }

  private load(): { state: SimState; text: string } {
    const text = readIfExists(this.file);
    if (text === undefined) {
      const state = this.initial();
      const created = this.serialise(state);
      writeFileAtomic(this.file, created);
      return { state: simStateSchema.parse(JSON.parse(created)), text: created };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorruptStateError(
        `simulator file ${this.file} is not valid JSON (${(e as Error).message}); it was left untouched — fix or remove it`,
      );
    }
    const parsed = simStateSchema.safeParse(raw);
    if (!parsed.success) {
      const { where, message } = zodWhere(parsed.error);
      throw new CorruptStateError(
        `simulator file ${this.file} is invalid at ${where}: ${message}; it was left untouched — fix or remove it`,
      );
    }
    return { state: parsed.data, text };
  }

  private serialise(state: SimState): string {
    // Re-validate before writing: a bug in a port must never leave an unreadable file behind.
    return `${JSON.stringify(simStateSchema.parse(state), null, 2)}\n`;
  }
}

/**
 * The same contract without a file: the world lives in this process. Long runs (the game day, the benchmarks)
 * would otherwise spend their time re-reading and re-validating the whole file on every call and measure the
 * simulator instead of the engine. Readers get copies, so a port can never alter the world behind the store's back.
 */
export class MemorySimStore implements StateStore {
  private state: SimState | undefined;

  constructor(private readonly initial: () => SimState = incidentTopology) {}

  async read(): Promise<SimState> {
    return structuredClone(this.current());
  }

  async update<T>(change: (state: SimState) => T): Promise<T> {
    // Change a copy: a change that throws leaves the world as it was, as with the file. The initial state is
    // validated once; the ports' changes are the same code the file store validates on every write.
    const next = structuredClone(this.current());
    const result = change(next);
    this.state = next;
    return result;
  }

  private current(): SimState {
    this.state ??= simStateSchema.parse(this.initial());
    return this.state;
  }
}
