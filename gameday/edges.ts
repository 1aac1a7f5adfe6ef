/**
 * The tunnel-guard strategy's two deployed edges, composed over the game day's in-memory world with a simulated
 * clock: the real `tunnelAlarm` Lambda handler (alarm parsing, link verification, engine) and the real
 * `tunnelIncident` HTTP handler (method, size, credentials, JSON, webhook parsing, engine). The links between them
 * travel the production way: AWS → GCP through the real `HttpLinkPublisher` (its POST handed to the HTTP handler),
 * GCP → AWS as a signed message inside the SNS event the Lambda would receive from the link topic.
 *
 * Nothing here decides anything: it only wires what the clouds would wire.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { HttpLinkPublisher } from '../functions/adapters/http-link-publisher';
import type { AwsEdge } from '../functions/compose';
import { makeReconcileHandler as makeAwsReconcile, makeTunnelAlarmHandler } from '../functions/handlers';
import type { GcpEdge } from '../gcp-functions/compose';
import { makeIncidentHandler, makeReconcileHandler as makeGcpReconcile } from '../gcp-functions/handlers';
import { MemoryLedger } from '../simulator/memory-ledger';
import { signLinkMessage } from '../shared/links/message';
import type { Config } from '../shared/policy';
import type { Clock, LinkPublisher, LogEntry, Logger, TrafficView } from '../shared/ports';
import type { SimulatorHandle } from '../simulator';
import { snsEvent } from './model/payloads';

/** Deliver `run` after `seconds` (the run's mailbox); `run` returns `false` when the receiver failed. */
export type Defer = (seconds: number, what: string, run: () => Promise<boolean>) => void;

/** Assumed delivery time of an SNS message to a Lambda subscriber (not documented as a bound). */
export const SNS_DELIVERY_S = 2;

const LINK_SECRET = 'gameday-link-secret-0123456789abcdef';
const WEBHOOK_TOKEN = 'gameday-webhook-token-0123456789';
const GCP_URL = 'https://asia-northeast1-example-project.cloudfunctions.net/tunnelIncident';

export interface Edges {
  /** EventBridge / SNS events into the Lambda. */
  tunnelAlarm(event: unknown): Promise<unknown>;
  /** A webhook POST into the Cloud Function; returns the HTTP status. */
  tunnelIncident(body: unknown): Promise<number>;
  reconcileAws(): Promise<void>;
  reconcileGcp(): Promise<void>;
}

interface Captured {
  status: number;
  body: unknown;
}

/** An Express-like request/response pair, enough for the HTTP handler (it reads method, headers, query, rawBody). */
function exchange(
  body: string,
  query: Record<string, string>,
  headers: Record<string, string>,
): { req: Request; res: Response; out: Captured } {
  const out: Captured = { status: 200, body: undefined };
  const req = {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    query,
    body: JSON.parse(body),
    rawBody: Buffer.from(body, 'utf8'),
  } as unknown as Request;
  const res = {
    set: () => res,
    status: (s: number) => {
      out.status = s;
      return res;
    },
    json: (b: unknown) => {
      out.body = b;
      return res;
    },
  } as unknown as Response;
  return { req, res, out };
}

/**
 * Compose both edges. `config` is the shipped configuration (policy defaults plus the links of the topology);
 * `logger` receives every structured line both edges write (the game day reads decisions from it).
 */
export function composeEdges(
  sim: SimulatorHandle,
  config: Config,
  clock: Clock,
  logger: Logger,
  now: () => number,
  region: string,
  defer: Defer,
  traffic?: TrafficView,
): Edges {
  const linkTopicArn = `arn:aws:sns:${region}:123456789012:tunnel-guard-gameday-link`;
  const base = { clock, logger, policy: config.policy, links: config.links, sleep: async () => undefined };
  let snsSeq = 0;
  const notifier = { notify: async () => undefined };

  // GCP → AWS: the message the GCP end publishes to the link topic reaches the Lambda as an SNS event, later.
  const toAws: LinkPublisher = {
    publish: async (message) => {
      const envelope = JSON.stringify(signLinkMessage(message, LINK_SECRET));
      const seq = ++snsSeq;
      defer(SNS_DELIVERY_S, 'link message to AWS', async () => {
        try {
          await alarmHandler(snsEvent(linkTopicArn, envelope, now(), seq));
          return true;
        } catch {
          return false;
        }
      });
    },
  };
  // AWS → GCP: the real publisher; its HTTPS POST is handed to the Cloud Function's handler.
  const toGcp = new HttpLinkPublisher({
    url: GCP_URL,
    secret: LINK_SECRET,
    token: WEBHOOK_TOKEN,
    attempts: 1,
    sleep: async () => undefined,
    fetch: (async (url: string | URL, init?: RequestInit) => {
      const u = new URL(String(url));
      const { req, res, out } = exchange(
        String(init?.body ?? ''),
        Object.fromEntries(u.searchParams),
        (init?.headers ?? {}) as Record<string, string>,
      );
      await incidentHandler(req, res);
      return new Response(JSON.stringify(out.body ?? {}), { status: out.status, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch,
  });

  const awsEdge: AwsEdge = {
    deps: { ...base, clouds: { aws: sim.ports('aws') }, ledger: new MemoryLedger(), notifier, link: toGcp },
    config,
    region,
    linkSecret: LINK_SECRET,
    alarmTopicArns: [],
    linkTopic: linkTopicArn,
    target: 'gameday:aws',
  };
  const gcpEdge: GcpEdge = {
    deps: {
      ...base,
      clouds: { gcp: { ...sim.ports('gcp'), ...(traffic ? { traffic } : {}) } },
      ledger: new MemoryLedger(),
      notifier,
      link: toAws,
    },
    config,
    auth: { mode: 'required', token: WEBHOOK_TOKEN },
    linkSecret: LINK_SECRET,
    target: 'gameday:gcp',
  };
  const alarmHandler = makeTunnelAlarmHandler(awsEdge);
  const incidentHandler = makeIncidentHandler(() => gcpEdge);
  const awsReconcile = makeAwsReconcile(awsEdge);
  const gcpReconcile = makeGcpReconcile(() => gcpEdge);

  return {
    tunnelAlarm: (event) => alarmHandler(event),
    tunnelIncident: async (body) => {
      const { req, res, out } = exchange(JSON.stringify(body), { auth_token: WEBHOOK_TOKEN }, {});
      await incidentHandler(req, res);
      return out.status;
    },
    reconcileAws: async () => {
      await awsReconcile();
    },
    reconcileGcp: async () => {
      const { req, res } = exchange('{}', { auth_token: WEBHOOK_TOKEN }, {});
      await gcpReconcile(req, res);
    },
  };
}

/** A logger that keeps every line with the simulated time it was written at. */
export function recordingLogger(now: () => number): Logger & { lines: (LogEntry & { t: number })[] } {
  const lines: (LogEntry & { t: number })[] = [];
  return { lines, log: (entry) => lines.push({ ...entry, t: now() }) };
}
