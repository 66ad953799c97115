/**
 * Reads the clue layer's binary feed (GET /api/v1/map/clues?format=bin; the layout is written
 * down in server/spatial/clue-feed-codec.ts) into columns deck.gl takes as attributes, and keeps
 * them current: `upsert` applies one clue from a clue event (keyed by its code) in place, or
 * appends it, so the WebSocket's diffs patch the feed and the set is never sent again.
 */

/** The feed's columns, indexes into the header's lists. */
export interface ClueColumns {
  /** The clue_outbox id the columns are consistent with; apply clue events after it. */
  seq: string;
  count: number;
  lon: Float32Array;
  lat: Float32Array;
  status: Uint8Array;
  severity: Uint8Array;
  item: Uint16Array;
  statuses: string[];
  severities: string[];
  /** Item codes; '' means "no item". */
  items: string[];
  codes: string[];
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Decodes a feed; throws on a buffer that is not one (wrong magic or version, truncated). */
export function decodeClueFeed(buf: ArrayBuffer): ClueColumns {
  const view = new DataView(buf);
  const magic = String.fromCharCode(...new Uint8Array(buf, 0, 4));
  if (magic !== 'GWCF' || view.getUint32(4, true) !== 1) throw new Error(`not a clue feed (magic ${magic}, version ${view.getUint32(4, true)})`);
  const n = view.getUint32(8, true);
  const headerBytes = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 16, headerBytes))) as {
    seq: string;
    statuses: string[];
    severities: string[];
    items: string[];
    codesBytes: number;
  };
  let at = 16 + headerBytes;
  const lon = new Float32Array(buf.slice(at, at + 4 * n));
  at += 4 * n;
  const lat = new Float32Array(buf.slice(at, at + 4 * n));
  at += 4 * n;
  const item = new Uint16Array(buf.slice(at, at + 2 * n));
  at += pad4(2 * n);
  const status = new Uint8Array(buf.slice(at, at + n));
  const severity = new Uint8Array(buf.slice(at + n, at + 2 * n));
  at += pad4(2 * n);
  if (at + header.codesBytes > buf.byteLength) throw new Error(`clue feed truncated: ${buf.byteLength} bytes, ${at + header.codesBytes} expected`);
  const text = new TextDecoder().decode(new Uint8Array(buf, at, header.codesBytes));
  const codes = n ? text.split('\n') : [];
  return { seq: header.seq, count: n, lon, lat, status, severity, item, statuses: header.statuses, severities: header.severities, items: header.items, codes };
}

/** What a clue event's `clue` (a ClueView) brings to the map. */
export interface CluePoint {
  code: string;
  status: string;
  severity: string;
  itemCode: string | null;
  position: { lon: number; lat: number };
}

/** Feed columns with an index by clue code, patched by clue events. */
export class ClueColumnStore {
  private readonly index = new Map<string, number>();

  constructor(public cols: ClueColumns) {
    cols.codes.forEach((code, i) => this.index.set(code, i));
  }

  /** Applies one clue (from a clue event with outbox id `seq`): updates it in place or appends it. */
  upsert(clue: CluePoint, seq: string): void {
    let i = this.index.get(clue.code);
    if (i === undefined) {
      i = this.cols.count;
      if (i === this.cols.lon.length) this.grow(Math.max(16, i * 2));
      this.cols.count = i + 1;
      this.cols.codes[i] = clue.code;
      this.index.set(clue.code, i);
    }
    const c = this.cols;
    c.lon[i] = clue.position.lon;
    c.lat[i] = clue.position.lat;
    c.status[i] = indexIn(c.statuses, clue.status);
    c.severity[i] = indexIn(c.severities, clue.severity);
    c.item[i] = indexIn(c.items, clue.itemCode ?? '');
    if (BigInt(seq) > BigInt(c.seq)) c.seq = seq;
  }

  /** The row of a clue code, if it is in the feed. */
  rowOf(code: string): number | undefined {
    return this.index.get(code);
  }

  /** How many clues lie in the box [west, south, east, north] (one pass over the columns: about 1 ms for 100,000). */
  countIn(west: number, south: number, east: number, north: number): number {
    const { lon, lat, count } = this.cols;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const x = lon[i]!;
      const y = lat[i]!;
      if (x >= west && x <= east && y >= south && y <= north) n++;
    }
    return n;
  }

  private grow(size: number): void {
    const c = this.cols;
    const more = <T extends Float32Array | Uint8Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    c.lon = more(c.lon, (k) => new Float32Array(k));
    c.lat = more(c.lat, (k) => new Float32Array(k));
    c.status = more(c.status, (k) => new Uint8Array(k));
    c.severity = more(c.severity, (k) => new Uint8Array(k));
    c.item = more(c.item, (k) => new Uint16Array(k));
  }
}

/** The index of `value` in a header list, appending it when new (a status or item the feed had not seen). */
function indexIn(list: string[], value: string): number {
  const k = list.indexOf(value);
  if (k >= 0) return k;
  list.push(value);
  return list.length - 1;
}
