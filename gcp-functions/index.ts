/**
 * Entry point of the GCP Cloud Functions (Functions Framework). The names are contracts:
 * `tunnelIncident` (HTTP: Cloud Monitoring webhook channel, and link messages from the AWS end),
 * `tunnelIncidentPubSub` (CloudEvent: the Cloud Monitoring Pub/Sub channel, the durable path) and `reconcile`
 * (HTTP: Cloud Scheduler). Dependencies are composed lazily on the first request and kept for the instance's life,
 * so loading this module has no side effect beyond registering the functions.
 */
import { cloudEvent, http } from '@google-cloud/functions-framework';
import { errorMessage } from '../shared/errors';
import { jsonLogger } from '../shared/log';
import { composeGcp, type GcpEdge } from './compose';
import { frameworkExpress, installFrontDoor } from './front-door';
import { MAX_BODY_BYTES, makeIncidentHandler, makeReconcileHandler } from './handlers';
import { makePubSubIncidentHandler, type MessagePublishedData } from './pubsub';

let edge: GcpEdge | undefined;
/** Composed once per instance; a configuration error is retried on the next request (and logged each time). */
const getEdge = (): GcpEdge => (edge ??= composeGcp(process.env));

/**
 * Served by the Functions Framework (in Cloud Run functions, which sets FUNCTION_TARGET, or `npm run start:gcp`):
 * check the configuration at start. A bad one then stops the instance with the reason — the framework reports
 * "Provided module can't be loaded" and exits 1, so a deployment fails at once instead of answering every incident
 * with 500. Composition makes no network call, so only a configuration error can fail here. Loading the module
 * anywhere else (tests, tools) stays free of side effects.
 */
const served = !!process.env.FUNCTION_TARGET || /functions-framework[\\/]build[\\/]src[\\/]main\.js$/.test(process.argv[1] ?? '');
if (served) {
  // The framework loads this module before it builds its Express app: the front door goes in first, so credentials
  // are checked before any body is read, and a malformed body gets a JSON 400 rather than an HTML stack page.
  const target = process.env.FUNCTION_TARGET || /--target=(\S+)/.exec(process.argv.join(' '))?.[1] || '';
  installFrontDoor(frameworkExpress().application, {
    auth: () => {
      try {
        return getEdge().auth;
      } catch {
        return undefined; // the handler answers with the configuration error
      }
    },
    authenticateFirst: target === 'tunnelIncident',
    maxBodyBytes: MAX_BODY_BYTES,
    logger: jsonLogger((line) => console.log(line)),
    handler: target || 'tunnel-guard',
  });
  try {
    getEdge();
  } catch (e) {
    jsonLogger((line) => console.error(line)).log({
      severity: 'ERROR',
      message: `tunnel-guard: configuration error, not starting: ${errorMessage(e)}`,
    });
    throw e;
  }
}

http('tunnelIncident', makeIncidentHandler(getEdge));
cloudEvent<MessagePublishedData>('tunnelIncidentPubSub', makePubSubIncidentHandler(getEdge));
http('reconcile', makeReconcileHandler(getEdge));
