import type { Position } from './geometry.js';
import type { Rng } from './prng.js';

function nearest(p: Position, centres: Position[]): number {
  let best = 0;
  let bestD = Infinity;
  centres.forEach((c, i) => {
    const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/**
 * Groups points (metres) into `k` compact clusters of similar member counts: k-means++ seeding
 * then a few Lloyd rounds. Equal weight per grid cell means dense (urban) areas get small
 * towns and communities, sparse (rural) areas large ones, as in a real city. Returns each
 * point's cluster, renumbered so clusters appear in order of first member (stable codes).
 */
export function cluster(points: Position[], k: number, rng: Rng, rounds = 12): number[] {
  if (k >= points.length) return points.map((_, i) => i);
  const centres: Position[] = [points[Math.floor(rng.next() * points.length)]!];
  const d2 = points.map(() => Infinity);
  while (centres.length < k) {
    const last = centres[centres.length - 1]!;
    let total = 0;
    points.forEach((p, i) => {
      d2[i] = Math.min(d2[i]!, (p[0] - last[0]) ** 2 + (p[1] - last[1]) ** 2);
      total += d2[i]!;
    });
    let r = rng.next() * total;
    let chosen = points.length - 1;
    for (let i = 0; i < points.length; i++) {
      r -= d2[i]!;
      if (r <= 0) {
        chosen = i;
        break;
      }
    }
    centres.push(points[chosen]!);
  }
  let assign = points.map((p) => nearest(p, centres));
  for (let round = 0; round < rounds; round++) {
    const sums = centres.map(() => [0, 0, 0]);
    points.forEach((p, i) => {
      const s = sums[assign[i]!]!;
      s[0]! += p[0];
      s[1]! += p[1];
      s[2]! += 1;
    });
    const biggest = sums.reduce((b, s, c) => (s[2]! > sums[b]![2]! ? c : b), 0);
    sums.forEach((s, c) => {
      // An emptied cluster restarts on a member of the biggest one, so there are always k.
      if (s[2]) centres[c] = [s[0]! / s[2], s[1]! / s[2]];
      else centres[c] = points[assign.findIndex((a) => a === biggest)]!;
    });
    assign = points.map((p) => nearest(p, centres));
  }
  const order = new Map<number, number>();
  return assign.map((c) => {
    if (!order.has(c)) order.set(c, order.size);
    return order.get(c)!;
  });
}
