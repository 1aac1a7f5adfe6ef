/**
 * The figures a game-day run assumes where the clouds document none: the simulated step, the probes' period and
 * how often their data goes missing, how long deliveries take and how often they are retried, and how the clouds'
 * APIs behave when a scenario does not say. They are stated here and in docs/gameday.md.
 */

/** The seconds one traffic step lasts: short enough for the 30 s probe aggregation, long enough to be fast. */
export const STEP_S = 10;
/** The probes' aggregation period (Network Synthetic Monitor offers 30 s or 60 s; the deploy tooling uses 30 s). */
export const PROBE_PERIOD_S = 30;
/**
 * Share of probe data points that never arrive (an assumption: Network Synthetic Monitor documents none). With the
 * shipped alarms (missing data treated as missing), one missing point keeps the 5-of-5 trip alarm from firing while
 * that period is in its window; only when every evaluated period is missing does an alarm go to INSUFFICIENT_DATA.
 * CloudWatch looks further back for points when some are missing; the model does not, so it may delay a trip a little
 * more than AWS would.
 */
export const PROBE_MISSING = 0.01;
/** Assumed delivery delays (none is documented as a bound): EventBridge to Lambda, Cloud Monitoring to a webhook. */
export const EVENTBRIDGE_DELIVERY_S = 5;
export const WEBHOOK_DELIVERY_S = 10;
/** Retries of a failed delivery: Lambda retries an asynchronous invocation twice (after about 1 and 2 minutes). */
export const DELIVERY_RETRIES = 2;
export const DELIVERY_RETRY_S = 60;
/**
 * The clouds when a scenario does not say: a share of mutating calls failing transiently, and how long a route
 * change takes to carry traffic (a GCP operation to finish; AWS route state to turn `available`). None of these
 * is documented as a figure: they are assumptions, stated here and in docs/gameday.md.
 */
export const DEFAULT_FAIL_RATE = 0.01;
export const DEFAULT_GCP_ROUTE_S = 20;
export const DEFAULT_AWS_ROUTE_S = 10;
