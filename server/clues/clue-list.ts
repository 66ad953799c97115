import type pg from 'pg';
import { z } from 'zod';
import { defineQueries } from '../../db/sql.js';
import { DEVICE_KINDS } from '../../ingest/device-event.js';
import { scopeOf, scopeSqlParams } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { CLUE_STATUSES } from './clue.js';
import { clueFromRow, type ClueRow, type StoredClue } from './stored-clue.js';

const sql = defineQueries(import.meta.url, { list: 'list-clues' });

/** Where a page ends: the last clue's opening time (µs since 1970, exact) and id, the list's sort key. */
const cursorSchema = z.strictObject({ us: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), id: z.number().int().positive() });
type Cursor = z.infer<typeof cursorSchema>;

/** A cursor as the client sees it: opaque, base64url of the sort key. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** The `cursor` parameter: a token `encodeCursor` made, refused (400) when it is anything else. */
const cursorParam = z.string().max(200).transform((s, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const r = cursorSchema.safeParse(parsed);
  if (!r.success) {
    ctx.addIssue({ code: 'custom', message: 'not a cursor this list handed out (use nextCursor as given)' });
    return z.NEVER;
  }
  return r.data;
});

const isoParam = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The clue list's filters, the same for a page (JSON) and for an export (CSV, GeoJSON). */
export const clueFilterSchema = z.object({
  /** One status or several, comma-separated. */
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(CLUE_STATUSES)))
    .optional(),
  /** Catalogue item code, or several, comma-separated. */
  item: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.string().min(1).max(64)).max(100))
    .optional(),
  /** Device kind of the device that opened the clue. */
  kind: z.enum(DEVICE_KINDS).optional(),
  /** A town code (kept for existing clients; `jurisdiction` takes any level). */
  town: z.string().min(1).max(32).optional(),
  /** A district, town, community or grid code. */
  jurisdiction: z.string().min(1).max(32).optional(),
  /** A unit id: clues assigned to it, co-notified to it or on its board. */
  unit: z.string().min(1).max(64).optional(),
  /** minLon,minLat,maxLon,maxLat (WGS84). */
  bbox: z
    .string()
    .transform((s) => s.split(',').map(Number))
    .pipe(
      z
        .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
        .refine(([w, s, e, n]) => w <= e && s <= n, 'bbox must be minLon,minLat,maxLon,maxLat'),
    )
    .optional(),
  review: flag.optional(),
  /** Opened at or after (ISO 8601). */
  from: isoParam.optional(),
  /** Opened before (ISO 8601). */
  to: isoParam.optional(),
  /** Not final and past its close-by time (true), or not (false). */
  overdue: flag.optional(),
  /** Part of the clue code or of the plate, any case. */
  q: z.string().trim().min(1).max(64).optional(),
});
/** The list's filters, and clue codes (the Open311 view asks for requests by id). */
export type ClueFilter = z.infer<typeof clueFilterSchema> & { codes?: string[] };

/** A clue of a list, with when its record last changed. */
export type ListedClue = StoredClue & { updatedAt: number };

/** The list's query: filters, page size, cursor and answer format. */
export const clueListQuery = clueFilterSchema
  .extend({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** `nextCursor` of the previous page; absent for the first. */
    cursor: cursorParam.optional(),
    /** json (a page), csv or geojson (every matching clue from the cursor on, streamed). */
    format: z.enum(['json', 'csv', 'geojson']).default('json'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['to'] });

/** One page of a list. */
export interface CluePage {
  clues: ListedClue[];
  /** Clues matching the filters (whatever the cursor); 0 when not counted. */
  total: number;
  /** The cursor of the next page, null after the last. */
  next: Cursor | null;
}

/**
 * One page of the clues `user` may see that match `f`, newest first (the rule of `canSee`, in
 * SQL), after `cursor`. With `count` the answer holds how many match in all: the same filters
 * counted in the same statement, a cost that grows with the matches (fine at today's volumes).
 */
export async function listCluePage(pool: pg.Pool, user: User, f: ClueFilter, page: { cursor?: Cursor; limit: number; count: boolean }): Promise<CluePage> {
  const { rows } = await pool.query<{ total: number } & ({ [K in keyof ClueRow]: ClueRow[K] | null } & { opened_us: string | null; updated_at: Date | null })>(sql.list, [
    ...scopeSqlParams(scopeOf(user)),
    f.status ?? null,
    f.item ?? null,
    f.jurisdiction ?? f.town ?? null,
    f.unit ?? null,
    ...(f.bbox ?? [null, null, null, null]),
    f.review ?? null,
    f.kind ?? null,
    f.from ?? null,
    f.to ?? null,
    f.overdue ?? null,
    f.q ?? null,
    page.cursor?.us ?? null,
    page.cursor?.id ?? null,
    page.count,
    page.limit,
    f.codes ?? null,
  ]);
  const found = rows.filter((r) => r.id !== null);
  const last = found.at(-1);
  return {
    total: rows[0]?.total ?? 0,
    clues: found.map((r) => ({ ...clueFromRow(r as ClueRow), updatedAt: r.updated_at!.getTime() })),
    next: last && found.length === page.limit ? { us: Number(last.opened_us), id: Number(last.id) } : null,
  };
}

/**
 * Every clue `user` may see that matches `f`, from `cursor` on, a page of `chunk` at a time:
 * exports walk the list this way so that memory holds one chunk, however many clues match.
 */
export async function* walkClues(pool: pg.Pool, user: User, f: ClueFilter, cursor?: Cursor, chunk = 500): AsyncGenerator<ListedClue[]> {
  let at = cursor;
  for (;;) {
    const page = await listCluePage(pool, user, f, { cursor: at, limit: chunk, count: false });
    if (page.clues.length) yield page.clues;
    if (!page.next) return;
    at = page.next;
  }
}
