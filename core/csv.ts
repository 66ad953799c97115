import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV reader (csv-parse): RFC 4180 fields, quoted fields with doubled quotes, CRLF or
 * LF line ends, a UTF-8 BOM (Excel writes one) dropped, blank lines skipped. Rows may differ
 * in length; callers check their columns. A malformed file (an unclosed quote) throws with the
 * line it was read at.
 */
export function readCsv(text: string): string[][] {
  return parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
}

/** The one CSV writer (csv-stringify): quotes only fields that need it, CRLF line ends as RFC 4180 says. */
export function writeCsv(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows as unknown[][], { record_delimiter: '\r\n', quoted_match: /^\s|\s$/ });
}
