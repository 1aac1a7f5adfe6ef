/**
 * Entry point of the GCP Cloud Functions (Functions Framework, HTTP). The names are contracts:
 * `tunnelIncident` (Cloud Monitoring webhook channel, and link messages from the AWS end) and `reconcile`
 * (Cloud Scheduler). Dependencies are composed lazily on the first request and kept for the instance's life,
 * so loading this module has no side effect beyond registering the two functions.
 */
import { http } from '@google-cloud/functions-framework';
import { composeGcp, type GcpEdge } from './compose';
import { makeIncidentHandler, makeReconcileHandler } from './handlers';

let edge: GcpEdge | undefined;
/** Composed once per instance; a configuration error is retried on the next request (and logged each time). */
const getEdge = (): GcpEdge => (edge ??= composeGcp(process.env));

http('tunnelIncident', makeIncidentHandler(getEdge));
http('reconcile', makeReconcileHandler(getEdge));
