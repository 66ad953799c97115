/**
 * The clue layer's compact binary feed (GET /api/v1/map/clues?format=bin): the map draws columns
 * straight into deck.gl attributes instead of parsing a JSON object per clue. Little-endian:
 *
 *   0   'GWCF'                magic
 *   4   u32 version (1)
 *   8   u32 count             clues in the feed
 *   12  u32 header length H   bytes of the JSON header that follows
 *   16  header (UTF-8 JSON)   {seq, statuses, severities, items, codesBytes}, padded with spaces to 4 bytes
 *   …   Float32 lon[count], Float32 lat[count], Uint16 item[count] (+2 bytes when count is odd),
 *       Uint8 status[count], Uint8 severity[count] (+ padding to 4 bytes),
 *       codes: UTF-8, one clue code per line (codesBytes long), the key clue events patch by.
 *
 * `status`, `severity` and `item` are indexes into the header's lists; item '' is "no item".
 * `seq` is the clue_outbox id the feed is consistent with: the client applies clue events with a
 * higher id (over the WebSocket) on top. web/src/clue-feed-bin.ts decodes it.
 */
export const CLUE_FEED_VERSION = 1;
const MAGIC = 'GWCF';

/** What the feed query (sql/map-feed.sql) returns: columns built by the database. */
export interface FeedColumns {
  seq: string;
  count: number;
  /** float4 big-endian per clue. */
  lon: Buffer;
  lat: Buffer;
  /** int4 big-endian per clue: status index << 8 | severity index. */
  packed: Buffer;
  /** Item codes, one line per clue ('' for none). */
  items: string;
  /** Clue codes, one line per clue. */
  codes: string;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Encodes the database's columns as the binary feed (byte order swapped once, items dictionary-coded). */
export function encodeClueFeed(cols: FeedColumns, statuses: readonly string[], severities: readonly string[]): Buffer {
  const n = cols.count;
  const itemIndex = new Map<string, number>();
  const itemCol = new Uint16Array(n);
  if (n) {
    const lines = cols.items.split('\n');
    for (let i = 0; i < n; i++) {
      const code = lines[i]!;
      let k = itemIndex.get(code);
      if (k === undefined) itemIndex.set(code, (k = itemIndex.size));
      itemCol[i] = k;
    }
  }
  const codes = Buffer.from(cols.codes, 'utf8');
  const header = JSON.stringify({ seq: cols.seq, statuses, severities, items: [...itemIndex.keys()], codesBytes: codes.length });
  const headerBytes = pad4(Buffer.byteLength(header));
  const itemBytes = pad4(2 * n);
  const smallBytes = pad4(2 * n);
  const out = Buffer.alloc(16 + headerBytes + 8 * n + itemBytes + smallBytes + codes.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(CLUE_FEED_VERSION, 4);
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(headerBytes, 12);
  out.fill(' ', 16, 16 + headerBytes);
  out.write(header, 16, 'utf8');
  let at = 16 + headerBytes;
  for (let i = 0; i < n; i++) out.writeFloatLE(cols.lon.readFloatBE(4 * i), at + 4 * i);
  at += 4 * n;
  for (let i = 0; i < n; i++) out.writeFloatLE(cols.lat.readFloatBE(4 * i), at + 4 * i);
  at += 4 * n;
  Buffer.from(itemCol.buffer, 0, 2 * n).copy(out, at);
  at += itemBytes;
  for (let i = 0; i < n; i++) {
    const packed = cols.packed.readInt32BE(4 * i);
    out[at + i] = packed >> 8;
    out[at + n + i] = packed & 0xff;
  }
  at += smallBytes;
  codes.copy(out, at);
  return out;
}
