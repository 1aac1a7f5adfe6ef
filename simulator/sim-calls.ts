/**
 * How every simulated API call behaves: optional latency per call (the request) and per operation (waiting for
 * a mutation to finish, like `globalOperations.wait`), fault injection on mutating calls, and the file store.
 * Latency is spent OUTSIDE the file lock, so concurrent calls overlap as they would against a real cloud.
 */
import type { Outcome } from '../shared/report-types';
import { FaultInjector, type FaultSpec } from './faults';
import type { SimState } from './sim-state';
import type { StateStore } from './sim-store';

export interface SimCallOptions {
  latencyMs?: number;
  operationMs?: number;
  faults?: FaultSpec;
}

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export class SimCalls {
  readonly faults: FaultInjector;

  constructor(
    readonly store: StateStore,
    private readonly options: SimCallOptions = {},
  ) {
    this.faults = new FaultInjector(options.faults);
  }

  /** A read-only API call. */
  async read<T>(view: (state: SimState) => T): Promise<T> {
    await sleep(this.options.latencyMs ?? 0);
    return view(await this.store.read());
  }

  /** A mutating API call: counted, maybe failed or crashed by the fault spec, persisted atomically. */
  async mutate(cloud: 'aws' | 'gcp', op: 'withdraw' | 'restore', pathKey: string, change: (state: SimState) => Outcome): Promise<Outcome> {
    await sleep(this.options.latencyMs ?? 0);
    const n = this.faults.before({ cloud, op, pathKey });
    const outcome = await this.store.update(change);
    await sleep(this.options.operationMs ?? 0);
    this.faults.after({ n, cloud, op, pathKey }, outcome === 'applied');
    return outcome;
  }
}
