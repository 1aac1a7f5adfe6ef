/**
 * What happens to the packets that enter one link during a step: sent into a dead tunnel before the clouds notice
 * (lost), over the link's capacity (throttled, in proportion in both directions: the limit is on packets sent plus
 * received), too large for the tunnel (`mtu`), or lost in transit (`path`). Pure: rates in, rates out.
 */
import type { Direction, World } from './world';

/** Packets per second of one direction of one link, by fate. */
export interface Fate {
  offered: number;
  /** Sent into the tunnel while it was dead and the clouds had not yet noticed. */
  dead: number;
  throttled: number;
  mtu: number;
  path: number;
  arrived: number;
}

export const lostOf = (f: Fate): number => f.dead + f.throttled + f.mtu + f.path;

/** The fate of `offered` packets per second each direction entering `link` over [t0, t1). */
export function fateOf(world: World, link: number, offered: Record<Direction, number>, t0: number, t1: number): Record<Direction, Fate> {
  const down = world.downOver(link, t0, t1);
  const alive = { gcpToAws: offered.gcpToAws * (1 - down), awsToGcp: offered.awsToGcp * (1 - down) };
  const load = alive.gcpToAws + alive.awsToGcp;
  const capacity = world.capacity[link]!;
  const keep = load > capacity ? capacity / load : 1;
  const one = (dir: Direction): Fate => {
    const throttled = alive[dir] * (1 - keep);
    const passed = alive[dir] - throttled;
    const mtu = passed * world.lossOver(link, dir, t0, t1, 'mtu');
    const path = (passed - mtu) * world.lossOver(link, dir, t0, t1, 'path');
    return { offered: offered[dir], dead: offered[dir] - alive[dir], throttled, mtu, path, arrived: passed - mtu - path };
  };
  return { gcpToAws: one('gcpToAws'), awsToGcp: one('awsToGcp') };
}
