/** How `doctor` prints its checks, and its exit code (0 all pass, 1 a check failed; skips do not fail). */
import type { DoctorCheck } from './seat';
import { EXIT, type ExitCode } from './io';

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const lines = checks.map(
    (c) => `${MARK[c.status]}  ${c.cloud.padEnd(5)} ${c.name}: ${c.detail}${c.status !== 'pass' && c.fix ? `\n      fix: ${c.fix}` : ''}`,
  );
  const failed = checks.filter((c) => c.status === 'fail').length;
  lines.push(
    failed
      ? `doctor: ${failed} of ${checks.length} check(s) FAILED`
      : `doctor: all ${checks.filter((c) => c.status === 'pass').length} check(s) passed${checks.some((c) => c.status === 'skip') ? ' (some skipped)' : ''}`,
  );
  return lines.join('\n') + '\n';
}

export const doctorExitCode = (checks: readonly DoctorCheck[]): ExitCode =>
  checks.some((c) => c.status === 'fail') ? EXIT.failure : EXIT.ok;
