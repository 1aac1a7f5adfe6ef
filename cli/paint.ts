/**
 * Colour for people at a terminal, and only for them: a tiny ANSI helper instead of a dependency. Colour is on at a
 * TTY unless `NO_COLOR` is set (https://no-color.org) or `TERM=dumb`; `FORCE_COLOR` (not `0`) turns it on anywhere.
 * Pipes, files and `--json` stay plain.
 */
import type { Env } from '../config/source';

export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const code = (open: number, close: number) => (s: string) => (s ? `\u001b[${open}m${s}\u001b[${close}m` : s);
const COLOURS: Paint = { red: code(31, 39), green: code(32, 39), yellow: code(33, 39), bold: code(1, 22), dim: code(2, 22) };
const PLAIN: Paint = { red: (s) => s, green: (s) => s, yellow: (s) => s, bold: (s) => s, dim: (s) => s };

export function colourOn(env: Env, isTTY: boolean | undefined): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return !!isTTY && env.TERM !== 'dumb';
}

export const paintFor = (on: boolean): Paint => (on ? COLOURS : PLAIN);

/** How long a painted string looks on screen (ANSI codes take no room). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');
export const visibleLength = (s: string): number => s.replace(ANSI, '').length;
