/** `-o table|wide|json` as kubectl, gcloud and aws have it; `--json` is kept as `-o json`. */
import type { Command } from 'commander';
import { UsageError } from './io';

export type Output = 'table' | 'wide' | 'json';
const OUTPUTS: readonly Output[] = ['table', 'wide', 'json'];

export interface OutputFlags {
  output?: string;
  json?: boolean;
}

export function outputOption(cmd: Command, json: string): Command {
  return cmd.option('-o, --output <format>', 'table (default), wide (every detail) or json').option('--json', json);
}

export function outputOf(o: OutputFlags): Output {
  if (o.json) return 'json';
  const raw = (o.output ?? 'table').trim().toLowerCase();
  if ((OUTPUTS as readonly string[]).includes(raw)) return raw as Output;
  throw new UsageError(`-o ${JSON.stringify(o.output)} must be one of ${OUTPUTS.join(', ')}`);
}
