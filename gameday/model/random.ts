/**
 * The game day's only sources of chance, seeded so that the same scenario and seed give the same numbers: probe
 * sampling, missing data points, ECMP flow hashing and cloud call failures all draw from here.
 */

import { mulberry32 } from '../../simulator/random';

export { mulberry32 };

/** A 32-bit hash of a string and a seed (FNV-1a, then one mulberry32 round to spread the bits). */
export function hash32(seed: number, text: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return Math.floor(mulberry32(h >>> 0)() * 4294967296);
}

/**
 * How many of `n` packets are lost when each is lost with probability `p` (a binomial draw; exact for small `n`,
 * a normal approximation above 1,000 packets to stay fast).
 */
export function binomial(n: number, p: number, random: () => number): number {
  if (p <= 0) return 0;
  if (p >= 1) return n;
  if (n <= 1000) {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  }
  // Box–Muller.
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.min(n, Math.max(0, Math.round(n * p + z * Math.sqrt(n * p * (1 - p)))));
}
