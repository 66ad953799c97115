import { inRing, signedArea2, type MultiPolygonCoords, type Position, type Ring } from './geometry.js';

const key = (p: Position): string => `${p[0]},${p[1]}`;

/**
 * The union of polygons that tile a region and share their vertices exactly (as `tessellate`
 * makes them): every edge two members share appears once in each direction and cancels; the
 * edges left over are the union's boundary. Exact and fast, where a general polygon union
 * would re-compute (and slightly move) the shared border.
 */
export function unionOfTiles(tiles: MultiPolygonCoords[]): MultiPolygonCoords {
  // Directed edges a→b, counted; an edge and its reverse cancel.
  const edges = new Map<string, { from: Position; to: Position; n: number }>();
  for (const tile of tiles) {
    for (const poly of tile) {
      for (const ring of poly) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const a = ring[i]!;
          const b = ring[i + 1]!;
          const back = edges.get(`${key(b)}>${key(a)}`);
          if (back && back.n > 0) {
            back.n--;
            continue;
          }
          const k = `${key(a)}>${key(b)}`;
          const e = edges.get(k);
          if (e) e.n++;
          else edges.set(k, { from: a, to: b, n: 1 });
        }
      }
    }
  }
  const outgoing = new Map<string, { from: Position; to: Position }[]>();
  for (const e of edges.values()) {
    for (let i = 0; i < e.n; i++) {
      const list = outgoing.get(key(e.from));
      if (list) list.push({ from: e.from, to: e.to });
      else outgoing.set(key(e.from), [{ from: e.from, to: e.to }]);
    }
  }
  const rings: Ring[] = [];
  for (const [startKey, list] of outgoing) {
    while (list.length) {
      const first = list.pop()!;
      const ring: Ring = [first.from, first.to];
      let prev = first.from;
      let at = first.to;
      while (key(at) !== startKey || ring.length < 3) {
        const next = outgoing.get(key(at));
        if (!next?.length) throw new Error(`Assembling a union: the boundary is open at ${key(at)}`);
        const i = next.length === 1 ? 0 : sharpestLeft(prev, at, next.map((e) => e.to));
        const [edge] = next.splice(i, 1);
        prev = at;
        at = edge!.to;
        ring.push(at);
      }
      rings.push(ring);
    }
  }
  const outers = rings.filter((r) => signedArea2(r) > 0);
  const holes = rings.filter((r) => signedArea2(r) < 0);
  const polys: Ring[][] = outers.map((r) => [r]);
  for (const hole of holes) {
    // The smallest outer ring that contains the hole owns it.
    const [x, y] = hole[0]!;
    let best = -1;
    for (let i = 0; i < outers.length; i++) {
      if (inRing(x, y, outers[i]!) && (best < 0 || signedArea2(outers[i]!) < signedArea2(outers[best]!))) best = i;
    }
    if (best < 0) throw new Error(`Assembling a union: hole at ${key(hole[0]!)} lies in no outer ring`);
    polys[best]!.push(hole);
  }
  return polys;
}

/**
 * At a vertex where the boundary touches itself, follow the sharpest left turn: with the
 * interior on the left that closes the smaller loop first, giving separate valid rings.
 */
function sharpestLeft(prev: Position, at: Position, candidates: Position[]): number {
  const inAngle = Math.atan2(at[1] - prev[1], at[0] - prev[0]);
  let best = 0;
  let bestTurn = -Infinity;
  candidates.forEach((c, i) => {
    let turn = Math.atan2(c[1] - at[1], c[0] - at[0]) - inAngle;
    while (turn <= -Math.PI) turn += 2 * Math.PI;
    while (turn > Math.PI) turn -= 2 * Math.PI;
    if (turn > bestTurn) {
      bestTurn = turn;
      best = i;
    }
  });
  return best;
}
