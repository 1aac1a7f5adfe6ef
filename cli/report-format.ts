/**
 * How the CLI shows a `Report` and turns it into an exit code (a contract other tools rely on):
 * 0 done (including "nothing to do"), 2 bad input, 3 refused by a guard, 1 failure.
 */
import type { Report } from '../shared/report-types';
import { EXIT, type ExitCode } from './io';

/** Guards whose refusal means "nothing to do", not "a guard said no to you". */
const BENIGN = new Set(['duplicate', 'stale']);

export function exitCodeFor(report: Report): ExitCode {
  if (report.refusals.some((r) => r.guard === 'input')) return EXIT.usage;
  if (report.decision === 'refuse' && report.refusals.some((r) => !BENIGN.has(r.guard))) return EXIT.refused;
  if (!report.ok) return EXIT.failure;
  return EXIT.ok;
}

/** Reconcile: the worst of its reports (failure beats refusal). */
export function exitCodeForAll(reports: readonly Report[]): ExitCode {
  const codes = reports.map(exitCodeFor);
  if (codes.includes(EXIT.failure)) return EXIT.failure;
  return EXIT.ok;
}

/** A few readable lines: decision, summary, refusals with reasons, per-action outcomes. */
export function formatReport(r: Report): string {
  const out: string[] = [];
  const flags = [r.dryRun ? 'DRY RUN' : '', r.forced ? 'FORCED (guards skipped)' : ''].filter(Boolean).join(', ');
  const who = r.summary.includes(r.tunnelId) ? '' : ` ${r.tunnelId}`;
  out.push(`${r.decision.toUpperCase()}${who}${flags ? ` [${flags}]` : ''}: ${r.summary}`);
  out.push(`  state ${r.stateBefore} → ${r.stateAfter}, severity ${r.severity}${r.ok ? '' : ', NOT OK'}`);
  for (const f of r.refusals) out.push(`  refused by ${f.guard}${f.urgent ? ' (URGENT: a human must decide)' : ''}: ${f.reason}`);
  const results = r.results.length ? r.results : [];
  for (const a of results) {
    out.push(
      `  ${a.type} ${a.pathKey} [${a.destinations.join(', ')}]: ${a.outcome}${a.error ? ` — ${a.error}` : ''} (${a.attempts} attempt(s), ${a.ms} ms)`,
    );
  }
  if (!results.length) for (const p of r.plan) out.push(`  planned: ${p.type} ${p.pathKey} [${p.destinations.join(', ')}]`);
  return out.join('\n') + '\n';
}
