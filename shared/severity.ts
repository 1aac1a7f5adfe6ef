/** Severities in rising order, and the worst of several: one log line or notification carries the worst. */
import type { Severity } from './report-types';

export const SEVERITIES: readonly Severity[] = ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'];

/** The worst of `list`, never better than `floor`. */
export const worstSeverity = (list: readonly Severity[], floor: Severity): Severity =>
  list.reduce((a, b) => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a), floor);
