/**
 * Deliveries: an EventBridge event, a webhook or a link message arrives after its delay (at the first step after
 * it); a failed receiver is retried DELIVERY_RETRIES times, DELIVERY_RETRY_S apart, and then given up.
 */
import { SNS_DELIVERY_S } from '../../gameday/edges';
import { Mailbox } from '../../gameday/mailbox';
import { DELIVERY_RETRIES, DELIVERY_RETRY_S, EVENTBRIDGE_DELIVERY_S, runScenario, STEP_S, WEBHOOK_DELIVERY_S } from '../../gameday/run';
import { deployed, scenario } from './scenarios';

/** When a delivery due `delay` s after a step arrives: at the first step at or after it. */
const arrival = (delay: number) => Math.ceil(delay / STEP_S) * STEP_S;

describe('the mailbox', () => {
  it('delivers a letter at its due time, not before, and in the order sent', async () => {
    const clock = { t: 0 };
    const box = new Mailbox(() => clock.t);
    const got: string[] = [];
    box.defer(5, 'b', async () => got.push(`b@${clock.t}`) > 0);
    box.defer(5, 'c', async () => got.push(`c@${clock.t}`) > 0);
    box.defer(2, 'a', async () => got.push(`a@${clock.t}`) > 0);
    for (clock.t = 0; clock.t <= 10; clock.t++) await box.deliver(clock.t, () => got.push('gave up'));
    expect(got).toEqual(['a@2', 'b@5', 'c@5']);
  });

  it('retries a failed receiver DELIVERY_RETRIES times, DELIVERY_RETRY_S apart, then gives up once', async () => {
    const clock = { t: 0 };
    const box = new Mailbox(() => clock.t);
    const tries: number[] = [];
    const gaveUp: [number, string][] = [];
    box.defer(10, 'webhook', async () => {
      tries.push(clock.t);
      return false;
    });
    for (clock.t = 0; clock.t <= 600; clock.t += STEP_S) await box.deliver(clock.t, (what) => gaveUp.push([clock.t, what]));
    expect(DELIVERY_RETRIES).toBeGreaterThan(0);
    expect(tries).toEqual(Array.from({ length: 1 + DELIVERY_RETRIES }, (_, k) => 10 + k * DELIVERY_RETRY_S));
    expect(gaveUp).toEqual([[10 + DELIVERY_RETRIES * DELIVERY_RETRY_S, 'webhook']]);
  });

  it('stops retrying once the receiver succeeds', async () => {
    const clock = { t: 0 };
    const box = new Mailbox(() => clock.t);
    let tries = 0;
    const gaveUp: string[] = [];
    box.defer(0, 'event', async () => ++tries > 1);
    for (clock.t = 0; clock.t <= 600; clock.t += STEP_S) await box.deliver(clock.t, (what) => gaveUp.push(what));
    expect([tries, gaveUp]).toEqual([2, []]);
  });
});

describe('deliveries in a run', () => {
  /** The first drain of one end, and the last trip signal naming its tunnel at or before it. */
  const firstDrain = async (name: string, end: 'aws' | 'gcp', tunnel: string) => {
    const { timelines } = await runScenario(scenario(name), deployed, ['tunnel-guard']);
    const tl = timelines['tunnel-guard'];
    const drain = tl.decisions.find((d) => d.kind === 'drain' && d.tunnelId.startsWith(`${end}:`))!;
    const trip = tl.signals.filter((s) => s.trip && s.text.includes(tunnel) && s.t <= drain.t).at(-1)!;
    return { drain, trip, tl };
  };

  it('an EventBridge event reaches the Lambda after its delay', async () => {
    const { drain, trip } = await firstDrain('seed-incident-probes', 'aws', '203.0.113.11-trip');
    expect(trip.text).toMatch(/^AWS alarm ALARM/);
    expect(drain.t - trip.t).toBe(arrival(EVENTBRIDGE_DELIVERY_S));
    expect(drain.t - trip.t).toBeGreaterThanOrEqual(EVENTBRIDGE_DELIVERY_S);
  });

  it('a webhook reaches the Cloud Function after its delay, and the link message to AWS after its own', async () => {
    const { drain, trip, tl } = await firstDrain('seed-incident', 'gcp', 'tunnel-aws-1');
    expect(trip.text).toMatch(/^GCP incident open/);
    expect(drain.t - trip.t).toBe(arrival(WEBHOOK_DELIVERY_S));
    expect(drain.t - trip.t).toBeGreaterThanOrEqual(WEBHOOK_DELIVERY_S);
    // AWS sees nothing of this loss: its end follows the GCP end's link message, delivered through SNS.
    const aws = tl.decisions.find((d) => d.kind === 'drain' && d.tunnelId.startsWith('aws:'))!;
    expect(aws.summary).toMatch(/GCP end/);
    expect(aws.t - drain.t).toBe(arrival(SNS_DELIVERY_S));
    expect(aws.t - drain.t).toBeGreaterThanOrEqual(SNS_DELIVERY_S);
  });
});
