/**
 * Entry point of the GCP Cloud Functions (Functions Framework). The names are contracts:
 * `tunnelIncident` (HTTP: Cloud Monitoring webhook channel, and link messages from the AWS end),
 * `tunnelIncidentPubSub` (CloudEvent: the Cloud Monitoring Pub/Sub channel, the durable path) and `reconcile`
 * (HTTP: Cloud Scheduler). Dependencies are composed lazily on the first request and kept for the instance's life,
 * so loading this module has no side effect beyond registering the functions.
 */
import { cloudEvent, http } from '@google-cloud/functions-framework';
import { composeGcp, type GcpEdge } from './compose';
import { makeIncidentHandler, makeReconcileHandler } from './handlers';
import { makePubSubIncidentHandler, type MessagePublishedData } from './pubsub';

let edge: GcpEdge | undefined;
/** Composed once per instance; a configuration error is retried on the next request (and logged each time). */
const getEdge = (): GcpEdge => (edge ??= composeGcp(process.env));

http('tunnelIncident', makeIncidentHandler(getEdge));
cloudEvent<MessagePublishedData>('tunnelIncidentPubSub', makePubSubIncidentHandler(getEdge));
http('reconcile', makeReconcileHandler(getEdge));
