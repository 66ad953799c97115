/**
 * Minimal RFC 4180 CSV: comma-separated, fields optionally in double quotes, `""` for a quote
 * inside a quoted field, CRLF or LF line ends, an optional UTF-8 BOM (Excel writes one). That
 * is all the catalogue files need, so no dependency.
 */

/** Splits CSV text into rows of fields. Blank lines are skipped; an unclosed quote throws. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') endRow();
    else if (c !== '\r' || s[i + 1] !== '\n') field += c;
  }
  if (quoted) throw new Error('CSV: unclosed quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Writes rows as CSV, quoting only fields that need it; lines end with CRLF as RFC 4180 says. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  const quote = (f: string) => (/[",\r\n]/.test(f) || f !== f.trim() ? `"${f.replaceAll('"', '""')}"` : f);
  return rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
