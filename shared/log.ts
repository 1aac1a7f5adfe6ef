/**
 * One JSON line per entry with a `severity` field: understood by both CloudWatch Logs and Cloud Logging.
 */
import type { LogEntry, Logger } from './ports';

/** Keys whose values are never written to a log line (house rule: no secret in any log). */
const SECRET_KEY = /(token|password|secret|authorization|signature|credential)/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export const jsonLogger = (write: (line: string) => void): Logger => ({
  log: (entry: LogEntry) => write(JSON.stringify(redact(entry))),
});

export const silentLogger: Logger = { log: () => undefined };

/** Collects entries: for tests and for the CLI, which prints reports itself. */
export function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { entries, log: (e) => void entries.push(e) };
}
