/**
 * Fault injection for the simulator: the reliability suite and the benchmarks need clouds that throttle, fail
 * and die at chosen moments, reproducibly (seeded).
 */
import { PermanentError, TransientError } from '../shared/errors';
import { mulberry32 } from './random';

export type FaultKind = 'transient' | 'permanent';

/** What a mutating call (withdraw/restore) is, for the hooks. */
export interface MutationInfo {
  /** 1-based count of mutating calls made through this handle (including failed ones). */
  n: number;
  cloud: 'aws' | 'gcp';
  op: 'withdraw' | 'restore';
  pathKey: string;
}

export interface FaultSpec {
  /** Fail these mutating calls (1-based; counted per handle) before they change anything. */
  failCalls?: number[];
  /** Fail this fraction (0–1) of mutating calls, chosen by a PRNG seeded with `seed`. */
  failRate?: number;
  /** Error class thrown by `failCalls`/`failRate` (default transient: "503 backend error"). */
  failKind?: FaultKind;
  /** Seed for `failRate` (default 1). Same seed → same failures. */
  seed?: number;
  /**
   * Simulate the process dying right after the k-th mutating call has been applied in the cloud (the change
   * is persisted; the caller never learns it succeeded): throws `SimulatedCrashError` for call k and refuses
   * every later call of this handle, like a dead process would.
   */
  crashAfter?: number;
  /** Called after each mutating call's change is persisted (counting, tracing). */
  onMutation?: (info: MutationInfo) => void;
}

/** Thrown by `crashAfter`: not a cloud error, the run itself is gone. Neither transient nor permanent. */
export class SimulatedCrashError extends Error {
  override readonly name = 'SimulatedCrashError';
}

/** Per-handle fault state: counts mutating calls and decides which ones fail. */
export class FaultInjector {
  /** Mutating calls attempted through this handle. */
  calls = 0;
  /** Mutating calls that changed the simulated cloud. */
  applied = 0;
  crashed = false;
  private readonly random: () => number;

  constructor(private readonly spec: FaultSpec = {}) {
    // Seeded: the same spec picks the same failures.
    this.random = mulberry32(spec.seed ?? 1);
  }

  /** Before a mutating call: count it, and throw if it is chosen to fail. Returns its number. */
  before(info: Omit<MutationInfo, 'n'>): number {
    if (this.crashed) throw new SimulatedCrashError(`simulated crash: handle is dead (after call ${this.spec.crashAfter})`);
    const n = ++this.calls;
    const draw = this.spec.failRate ? this.random() : 1;
    if (this.spec.failCalls?.includes(n) || draw < (this.spec.failRate ?? 0)) {
      const what = `simulated ${info.cloud} ${info.op} of ${info.pathKey} (call ${n})`;
      if (this.spec.failKind === 'permanent') throw new PermanentError(`${what}: 400 invalid request (injected)`);
      throw new TransientError(`${what}: 503 backend error (injected)`);
    }
    return n;
  }

  /** After the change is persisted: hooks, and the crash if this was call k. */
  after(info: MutationInfo, changed: boolean): void {
    if (changed) this.applied++;
    this.spec.onMutation?.(info);
    if (this.spec.crashAfter !== undefined && info.n >= this.spec.crashAfter) {
      this.crashed = true;
      throw new SimulatedCrashError(`simulated crash after mutating call ${info.n} (${info.op} ${info.pathKey})`);
    }
  }
}
