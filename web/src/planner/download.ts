/**
 * Client-side CSV and GeoJSON export of what a planner or admin view shows. The hotspot,
 * efficiency and evaluation answers are already exact and scoped by the server, so writing them
 * out here avoids a second set of export endpoints that would have to stay in step with them.
 */

/** Quotes one CSV field (RFC 4180): fields with a comma, quote or line break are quoted. */
function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The rows as CSV text with a header line from `columns`; a UTF-8 BOM so Excel reads Chinese. */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
