/**
 * Everything on its way during a run: alarm events, webhooks, link messages — each delivered at its time, in the
 * order sent, and retried a bounded number of times when the receiver fails.
 */
import { DELIVERY_RETRIES, DELIVERY_RETRY_S } from './assumptions';
import type { Defer } from './strategies';

type Letter = { due: number; seq: number; what: string; run: () => Promise<boolean>; tries: number };

export class Mailbox {
  private mail: Letter[] = [];
  private seq = 0;

  /** `now` is the run's clock: a letter sent now is due `seconds` later. */
  constructor(private readonly now: () => number) {}

  readonly defer: Defer = (seconds, what, run) => {
    this.mail.push({ due: this.now() + seconds, seq: ++this.seq, what, run, tries: 0 });
  };

  /** Deliver what has arrived by `t`, in order; a failed delivery comes again later, then `gaveUp` is told. */
  async deliver(t: number, gaveUp: (what: string) => void): Promise<void> {
    while (this.mail.some((m) => m.due <= t)) {
      const ready = this.mail.filter((m) => m.due <= t).sort((a, b) => a.due - b.due || a.seq - b.seq);
      this.mail = this.mail.filter((m) => m.due > t);
      for (const letter of ready) {
        const ok = await letter.run();
        if (!ok && letter.tries < DELIVERY_RETRIES)
          this.mail.push({ ...letter, due: t + DELIVERY_RETRY_S, tries: letter.tries + 1, seq: ++this.seq });
        else if (!ok) gaveUp(letter.what);
      }
    }
  }
}
