import type pg from 'pg';
import { z } from 'zod';
import { defineQueries } from '../../db/sql.js';
import { scopeOf, scopeSqlParams } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { clueFromRow, clueView, clueViewSchema, type ClueRow } from '../clues/stored-clue.js';
import { instructionView, instructionViewSchema, type InstructionRow } from './instructions.js';

const sql = defineQueries(import.meta.url, {
  clues: 'warning-clues',
  instructions: 'warning-instructions',
});

/** Warnings categories (预警单): due soon (warned), overdue (超期), escalated (升级; clues only). */
export const WARNING_CATEGORIES = ['due-soon', 'overdue', 'escalated'] as const;
export type WarningCategory = (typeof WARNING_CATEGORIES)[number];

/** What the warnings list may be narrowed to (all optional). */
export interface WarningFilter {
  category?: WarningCategory[];
  /** 'clue', 'instruction' or both. */
  kind?: ('clue' | 'instruction')[];
  district?: string;
  town?: string;
  unit?: string;
  limit: number;
  offset: number;
}

const counts = z.strictObject({ 'due-soon': z.number().int(), overdue: z.number().int(), escalated: z.number().int() });

/** The warnings list as the API answers it. */
export const warningsSchema = z.strictObject({
  /** Per category, with every filter but the category, limit and offset. */
  counts: z.strictObject({ clues: counts, instructions: counts }),
  clues: z.array(z.strictObject({ category: z.enum(WARNING_CATEGORIES), clue: clueViewSchema })),
  instructions: z.array(z.strictObject({ category: z.enum(WARNING_CATEGORIES), instruction: instructionViewSchema })),
});
export type Warnings = z.infer<typeof warningsSchema>;

/** Counts per category as the queries give them (categories with none left out), filled in. */
const tally = (counts: Partial<Record<WarningCategory, number>> = {}) => ({ 'due-soon': 0, overdue: 0, escalated: 0, ...counts });

/** A row of the warnings queries: an item of the page with its category, and the counts (on every row). */
type PageRow<R> = R & { category: WarningCategory; counts: Partial<Record<WarningCategory, number>> };
/** The page's items: an empty page comes as one row of counts whose item columns are NULL. */
const onPage = <R extends { id: unknown }>(rows: PageRow<R>[]) => rows.filter((r) => r.id !== null);

/**
 * The warnings list (预警单) a user may see: open clues due soon, overdue or escalated and
 * unanswered instructions due soon or overdue, most pressing first, with counts per category.
 * Scope is the policy module's (scopeSqlParams), as for the clue and instruction lists.
 */
export async function listWarnings(pool: pg.Pool, user: User, f: WarningFilter): Promise<Warnings> {
  const scope = scopeSqlParams(scopeOf(user));
  const wants = (k: 'clue' | 'instruction') => !f.kind || f.kind.includes(k);
  const category = f.category ?? null;
  const clueRows = wants('clue')
    ? (await pool.query<PageRow<ClueRow>>(sql.clues, [...scope, f.district ?? null, f.town ?? null, f.unit ?? null, category, f.limit, f.offset])).rows
    : [];
  // Instructions' place codes hold districts and towns alike; the town filter is the narrower.
  const place = f.town ?? f.district ?? null;
  const instructionRows = wants('instruction')
    ? (await pool.query<PageRow<InstructionRow>>(sql.instructions, [...scope, place, f.unit ?? null, category, f.limit, f.offset])).rows
    : [];
  return {
    counts: { clues: tally(clueRows[0]?.counts), instructions: tally(instructionRows[0]?.counts) },
    clues: onPage(clueRows).map((r) => ({ category: r.category, clue: clueView(clueFromRow(r)) })),
    instructions: onPage(instructionRows).map((r) => ({ category: r.category, instruction: instructionView(r) })),
  };
}
