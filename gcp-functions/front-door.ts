/**
 * The public function's front door, in front of the Functions Framework's own body parsing. The framework reads and
 * parses every body (up to 1 GiB) before our handler runs, and answers a malformed JSON body with Express's HTML
 * error page (a stack trace outside production) — before any authentication. So, for the Express application the
 * framework is about to create, we wrap `handle` once:
 * - before the body is read: method, declared size and credentials (HTTP Basic is a header; the deprecated token is
 *   in the URL), so an unauthenticated request costs no body read, no parse and no compose of anything else, and is
 *   answered 401 at once with the connection closed;
 * - after: any error the framework's parsers raise (malformed JSON, bad encoding, too large) becomes a JSON 4xx without
 *   a stack, logged as one JSON line without the raw body.
 * The handler keeps its own checks (defence in depth, and the in-process tests drive it directly).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Logger } from '../shared/ports';
import { type AuthConfig, authenticate } from './auth';

export interface FrontDoorOptions {
  /** The webhook credentials (composed lazily: undefined while the configuration cannot be read — the handler reports that). */
  auth: () => AuthConfig | undefined;
  /** Authenticate before the body is read (the public `tunnelIncident`); IAM-protected functions skip it. */
  authenticateFirst: boolean;
  maxBodyBytes: number;
  logger: Logger;
  handler: string;
}

type Handle = (req: IncomingMessage, res: ServerResponse, callback?: (err?: unknown) => void) => void;

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, close: boolean): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (close) res.setHeader('connection', 'close');
  res.end(text);
}

/**
 * Wrap `application.handle` of the Express module the Functions Framework uses. Returns the function that undoes it.
 * Must run before the framework creates its app (the user module is loaded first, so `index.ts` can).
 */
export function installFrontDoor(application: { handle: Handle }, opts: FrontDoorOptions): () => void {
  const original = application.handle;
  application.handle = function frontDoor(this: unknown, req, res, callback) {
    const log = (status: number, outcome: string, reason: string) =>
      opts.logger.log({
        severity: 'WARNING',
        message: `${opts.handler}: ${status} ${outcome}: ${reason}`,
        handler: opts.handler,
        httpStatus: status,
        outcome,
      });
    if (req.method === 'POST') {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > opts.maxBodyBytes) {
        const reason = `body larger than ${opts.maxBodyBytes} bytes`;
        log(413, 'invalid', reason);
        return answer(res, 413, { status: 'invalid', reason }, true);
      }
      const auth = opts.authenticateFirst ? opts.auth() : undefined;
      if (auth) {
        const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
        const r = authenticate({ query, headers: req.headers }, auth);
        if (!r.ok) {
          // No log line per refused request: a flood must not become a flood of log lines (Cloud Run logs the request).
          if (auth.mode === 'required' && auth.basic) res.setHeader('www-authenticate', 'Basic realm="tunnel-guard"');
          return answer(res, 401, { status: 'refused', reason: r.reason }, true);
        }
      }
    }
    const done = (err?: unknown) => {
      if (callback && err === undefined) return callback();
      if (err === undefined) return answer(res, 404, { status: 'invalid', reason: 'not found' }, false);
      const e = err as { status?: number; statusCode?: number; type?: string };
      const status = e.status ?? e.statusCode ?? 500;
      const client = status >= 400 && status < 500;
      const reason =
        e.type === 'entity.parse.failed'
          ? 'body is not valid JSON'
          : e.type === 'entity.too.large'
            ? `body larger than ${opts.maxBodyBytes} bytes`
            : client
              ? `malformed request (${e.type ?? 'bad request'})`
              : 'internal error';
      // One JSON line, never the raw body (body-parser keeps it on the error object) nor a stack.
      opts.logger.log({
        severity: client ? 'WARNING' : 'ERROR',
        message: `${opts.handler}: ${status} ${client ? 'invalid' : 'error'}: ${reason}`,
        handler: opts.handler,
        httpStatus: status,
        outcome: client ? 'invalid' : 'error',
      });
      answer(res, status, { status: client ? 'invalid' : 'error', reason }, false);
    };
    return original.call(this, req, res, done);
  };
  return () => {
    application.handle = original;
  };
}

/** The `express` module the installed Functions Framework resolves (not a bundled copy: that would be another instance). */
export function frameworkExpress(): { application: { handle: Handle } } {
  const fromFramework = createRequire(require.resolve('@google-cloud/functions-framework'));
  return fromFramework('express');
}
