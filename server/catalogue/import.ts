import { z } from 'zod';
import { readCsv, writeCsv } from '../../core/csv.js';
import { catalogueDataSchema, catalogueItemSchema, type CatalogueData, type CatalogueItem, type TownItems } from './model.js';

/** The outcome of an import: the value, or every problem found, each naming where it is. */
export type ImportResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function problemsOf(error: z.ZodError, where = ''): string[] {
  return error.issues.map((i) => `${where}${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);
}

/** Parses and validates a JSON catalogue import (`{ versions, units }`, see `catalogueDataSchema`). */
export function parseCatalogueJson(text: string): ImportResult<CatalogueData> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [`not JSON: ${(e as Error).message}`] };
  }
  const parsed = catalogueDataSchema.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: problemsOf(parsed.error) };
}

/** Columns of an items CSV, in order. Lists (alert types, also-notify) are `;`-separated. */
export const ITEM_CSV_COLUMNS = [
  'code',
  'name_zh',
  'name_en',
  'domain',
  'legal_basis',
  'department',
  'assignment',
  'deadline_min',
  'urgency',
  'alert_types',
  'window_min',
  'also_notify',
] as const;

/** Columns an items CSV may leave out (older files): `close_at_source` (true | false, default false). */
const OPTIONAL_ITEM_CSV_COLUMNS = ['close_at_source'] as const;

/**
 * Reads CSV with a header row into one record per data row, keyed by column name, with the
 * 1-based line of each row for error messages. Missing or unknown columns are problems.
 */
function csvRecords<C extends string, O extends string = never>(
  text: string,
  columns: readonly C[],
  optional: readonly O[] = [],
): ImportResult<{ line: number; record: Record<C | O, string> }[]> {
  let rows: string[][];
  try {
    rows = readCsv(text);
  } catch (e) {
    return { ok: false, problems: [(e as Error).message] };
  }
  const header = (rows[0] ?? []).map((h) => h.trim());
  const missing = columns.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !(columns as readonly string[]).includes(h) && !(optional as readonly string[]).includes(h));
  if (missing.length > 0 || unknown.length > 0)
    return {
      ok: false,
      problems: [
        ...missing.map((c) => `header: missing column ${c}`),
        ...unknown.map((c) => `header: unknown column ${c}`),
      ],
    };
  return {
    ok: true,
    value: rows.slice(1).map((row, i) => ({
      line: i + 2,
      record: Object.fromEntries([...columns, ...optional].map((c) => [c, (row[header.indexOf(c)] ?? '').trim()])) as Record<C | O, string>,
    })),
  };
}

const list = (s: string) => (s === '' ? [] : s.split(';').map((x) => x.trim()));
const optionalNumber = (s: string) => (s === '' ? undefined : Number(s));

/** Parses and validates an items CSV (columns `ITEM_CSV_COLUMNS`). */
export function parseItemsCsv(text: string): ImportResult<CatalogueItem[]> {
  const records = csvRecords(text, ITEM_CSV_COLUMNS, OPTIONAL_ITEM_CSV_COLUMNS);
  if (!records.ok) return records;
  const items: CatalogueItem[] = [];
  const problems: string[] = [];
  for (const { line, record: r } of records.value) {
    const parsed = catalogueItemSchema.safeParse({
      code: r.code,
      name: { zh: r.name_zh, en: r.name_en },
      domain: r.domain,
      legalBasis: r.legal_basis,
      department: r.department,
      assignment: r.assignment,
      deadlineMin: optionalNumber(r.deadline_min),
      urgency: r.urgency,
      alertTypes: list(r.alert_types),
      windowMin: optionalNumber(r.window_min),
      alsoNotify: list(r.also_notify),
      closeAtSource: r.close_at_source === '' ? undefined : r.close_at_source === 'true' ? true : r.close_at_source === 'false' ? false : r.close_at_source,
    });
    if (parsed.success) items.push(parsed.data);
    else problems.push(...problemsOf(parsed.error, `line ${line}: `));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: items };
}

/** Writes items as CSV that `parseItemsCsv` reads back unchanged (export for editing). */
export function formatItemsCsv(items: readonly CatalogueItem[]): string {
  return writeCsv([
    [...ITEM_CSV_COLUMNS, ...OPTIONAL_ITEM_CSV_COLUMNS],
    ...items.map((i) => [
      i.code,
      i.name.zh,
      i.name.en,
      i.domain,
      i.legalBasis,
      i.department,
      i.assignment,
      String(i.deadlineMin),
      i.urgency,
      i.alertTypes.join(';'),
      String(i.windowMin),
      i.alsoNotify.join(';'),
      String(i.closeAtSource),
    ]),
  ]);
}

const empowermentRowSchema = z.object({
  town_code: z.string().min(1),
  item_code: z.string().min(1),
  action: z.enum(['grant', 'revoke']),
});

/**
 * Parses an empowerment CSV (`town_code,item_code,action` with action grant | revoke) into the
 * grants and revocations of one new version. Whether the items exist and are delegable is
 * checked when the version joins the history (`catalogueVersionsSchema`).
 */
export function parseEmpowermentCsv(text: string): ImportResult<{ grants: TownItems[]; revocations: TownItems[] }> {
  const records = csvRecords(text, ['town_code', 'item_code', 'action'] as const);
  if (!records.ok) return records;
  const grants = new Map<string, string[]>();
  const revocations = new Map<string, string[]>();
  const problems: string[] = [];
  for (const { line, record } of records.value) {
    const parsed = empowermentRowSchema.safeParse(record);
    if (!parsed.success) {
      problems.push(...problemsOf(parsed.error, `line ${line}: `));
      continue;
    }
    const target = parsed.data.action === 'grant' ? grants : revocations;
    target.set(parsed.data.town_code, [...(target.get(parsed.data.town_code) ?? []), parsed.data.item_code]);
  }
  const toList = (m: Map<string, string[]>) => [...m].map(([townCode, itemCodes]) => ({ townCode, itemCodes }));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { grants: toList(grants), revocations: toList(revocations) } };
}
