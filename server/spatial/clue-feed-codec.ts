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
 * Clues come grouped by status, severity and item, least severe first (drawn first, so under the
 * more severe), in no other set order: clients key them by code.
 * `seq` is the clue_outbox id the feed is consistent with: the client applies clue events with a
 * higher id (over the WebSocket) on top. web/src/clue-feed-bin.ts decodes it.
 */
export const CLUE_FEED_VERSION = 1;
const MAGIC = 'GWCF';

/**
 * A row of the feed query (sql/map-feed.sql): one group of clues with the same status, severity
 * and item, its columns built by the database; the group fields are null when no clue matched.
 */
export interface FeedGroup {
  seq: string;
  status: string | null;
  severity: string | null;
  /** The item code, '' for none. */
  item: string | null;
  n: number | null;
  /** float4 big-endian per clue. */
  lon: Buffer | null;
  lat: Buffer | null;
  /** Clue codes, one line per clue. */
  codes: string | null;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Encodes the database's groups as the binary feed: group fields become indexes, column by column. */
export function encodeClueFeed(groups: readonly FeedGroup[], statuses: readonly string[], severities: readonly string[]): Buffer {
  // Least severe first: deck.gl draws in row order, so the most severe clues end up on top.
  const parts = groups.filter((g) => g.n).sort((a, b) => severities.indexOf(a.severity!) - severities.indexOf(b.severity!));
  const n = parts.reduce((sum, g) => sum + g.n!, 0);
  const itemIndex = new Map<string, number>();
  for (const g of parts) if (!itemIndex.has(g.item!)) itemIndex.set(g.item!, itemIndex.size);
  const codes = Buffer.from(parts.map((g) => g.codes).join('\n'), 'utf8');
  const header = JSON.stringify({ seq: groups[0]!.seq, statuses, severities, items: [...itemIndex.keys()], codesBytes: codes.length });
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
  const lonAt = 16 + headerBytes;
  const latAt = lonAt + 4 * n;
  const itemAt = latAt + 4 * n;
  const statusAt = itemAt + itemBytes;
  const severityAt = statusAt + n;
  const item = new Uint16Array(out.buffer, out.byteOffset + itemAt, n);
  let row = 0;
  for (const g of parts) {
    const status = statuses.indexOf(g.status!);
    const severity = severities.indexOf(g.severity!);
    if (status < 0 || severity < 0) throw new Error(`clue feed: unknown status ${g.status} or severity ${g.severity}`);
    // Big-endian floats from the database, swapped to little-endian in one native pass.
    g.lon!.swap32().copy(out, lonAt + 4 * row);
    g.lat!.swap32().copy(out, latAt + 4 * row);
    item.fill(itemIndex.get(g.item!)!, row, row + g.n!);
    out.fill(status, statusAt + row, statusAt + row + g.n!);
    out.fill(severity, severityAt + row, severityAt + row + g.n!);
    row += g.n!;
  }
  codes.copy(out, statusAt + smallBytes);
  return out;
}
