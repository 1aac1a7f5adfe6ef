/**
 * Payload fuzzing seeded from real fixtures: fast-check arbitraries that take a real payload and break it in the
 * ways real inputs break (a field missing, the wrong type, a nested JSON string garbled, junk appended), plus
 * entirely generated JSON.
 */
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `v` (including the root, as []). */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

type Op = { kind: 'delete' | 'replace' | 'garble-string' | 'wrap' | 'stringify' | 'empty'; pick: number; value: Json };

function apply(root: Json, op: Op): Json {
  const all = paths(root);
  const path = all[op.pick % all.length]!;
  if (path.length === 0) return op.kind === 'stringify' ? JSON.stringify(root) : op.kind === 'wrap' ? [root] : op.value;
  const copy = structuredClone(root) as Json;
  let parent: any = copy;
  for (const k of path.slice(0, -1)) parent = parent[k as any];
  const key = path.at(-1)!;
  const cur = parent[key as any] as Json;
  switch (op.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as any];
      break;
    case 'replace':
      parent[key as any] = op.value;
      break;
    case 'garble-string':
      parent[key as any] = typeof cur === 'string' ? cur.slice(0, Math.floor(cur.length / 2)) + '{"' : 42;
      break;
    case 'wrap':
      parent[key as any] = [cur];
      break;
    case 'stringify':
      parent[key as any] = JSON.stringify(cur);
      break;
    case 'empty':
      parent[key as any] = Array.isArray(cur) ? [] : typeof cur === 'object' && cur ? {} : '';
      break;
  }
  return copy;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('delete', 'replace', 'garble-string', 'wrap', 'stringify', 'empty'),
  pick: fc.nat(),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
});

/** 1–4 mutations of one of the given real payloads. */
export const mutatedFrom = (fixtures: unknown[]): fc.Arbitrary<unknown> =>
  fc
    .tuple(fc.constantFrom(...(fixtures as Json[])), fc.array(opArb, { minLength: 1, maxLength: 4 }))
    .map(([f, ops]) => ops.reduce(apply, f));

/** Real payloads broken, plus arbitrary JSON and non-JSON-ish values. */
export const fuzzPayload = (fixtures: unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: mutatedFrom(fixtures) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  );
