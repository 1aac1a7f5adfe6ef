/**
 * Webhook authentication timing: the time to refuse a wrong token must not depend on where it differs from the
 * right one (constant-time comparison). Cases are interleaved in rounds so machine noise hits them alike.
 */
import { authConfigFromEnv, authenticate } from '../gcp-functions/auth';

const TOKEN = 'k7J2mQ9xW4pL8vR3tY6nB1cF5hD0sG2a';

export function benchAuthTiming(rounds = 200, perRound = 500) {
  const cfg = authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN });
  const flip = (i: number) => TOKEN.slice(0, i) + (TOKEN[i] === 'x' ? 'y' : 'x') + TOKEN.slice(i + 1);
  const cases: Record<string, Record<string, unknown>> = {
    correct: { auth_token: TOKEN },
    'wrong first char': { auth_token: flip(0) },
    'wrong last char': { auth_token: flip(TOKEN.length - 1) },
    'wrong length': { auth_token: `${TOKEN}x` },
    missing: {},
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, query] of Object.entries(cases)) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < perRound; i++) authenticate({ query, headers: {} }, cfg);
      samples[name]!.push(Number(process.hrtime.bigint() - t) / perRound);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows = Object.entries(samples).map(([name, xs]) => ({ case: name, medianNs: Math.round(median(xs)) }));
  const compared = rows.filter((r) => r.case.startsWith('wrong'));
  const spread = Math.max(...compared.map((r) => r.medianNs)) / Math.min(...compared.map((r) => r.medianNs));
  return { rows, wrongTokenSpread: +spread.toFixed(2) };
}
