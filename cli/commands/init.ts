/**
 * `tunnel-guard init [file]`: write a configuration with every knob at its default, and its JSON Schema beside it
 * (generated from the same zod schema the functions parse with, so it cannot drift). The file names its schema in
 * `$schema`, so editors validate it and show each key's meaning. Never overwrites.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { resolveFromCaller } from '../../config/source';
import { configSchema } from '../../shared/policy';
import { CONFIG_NOTES } from '../config-notes';
import { EXIT, UsageError } from '../io';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard init                            # ./tunnel-guard.json and ./tunnel-guard.schema.json
  tunnel-guard init prod.json                  # prod.json and prod.schema.json
  export TUNNEL_GUARD_CONFIG=./tunnel-guard.json
`;

type JsonSchema = { properties?: Record<string, JsonSchema>; description?: string; [k: string]: unknown };

/** The configuration's JSON Schema, with each key's note and room for the `$schema` pointer. */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchema;
  const describe = (s: JsonSchema | undefined, prefix: string) => {
    for (const [key, sub] of Object.entries(s?.properties ?? {})) {
      const note = CONFIG_NOTES[`${prefix}${key}`];
      if (note) sub.description = note;
      if (sub.properties) describe(sub, `${prefix}${key}.`);
    }
  };
  describe(schema, '');
  schema.title = 'tunnel-guard configuration (TUNNEL_GUARD_CONFIG)';
  schema.properties = { $schema: { type: 'string', description: 'Where editors find this schema.' }, ...schema.properties };
  return schema;
}

export const init: Register = (program, s) => {
  program
    .command('init [file]')
    .description('write a configuration with every knob at its default, and its JSON Schema beside it (never overwrites)')
    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async (file: string | undefined) => {
        const path = resolveFromCaller(file ?? 'tunnel-guard.json', s.io.env, s.io.cwd);
        const schemaPath = join(dirname(path), `${basename(path).replace(/\.json$/i, '')}.schema.json`);
        for (const p of [path, schemaPath])
          if (existsSync(p)) throw new UsageError(`${p} exists; remove it or name another file (init never overwrites)`);
        const defaults = configSchema.parse({});
        const config = { $schema: `./${basename(schemaPath)}`, ...defaults };
        writeFileSync(schemaPath, `${JSON.stringify(configJsonSchema(), null, 2)}\n`, { flag: 'wx' });
        writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
        s.io.stdout(
          `written: ${path}\n         ${schemaPath} (its JSON Schema: editors validate the file and explain each key)\n` +
            `next: export TUNNEL_GUARD_CONFIG=${path}; tunnel-guard discover proposes the links, scope and alarm mappings\n`,
        );
        return EXIT.ok;
      }),
    );
};
