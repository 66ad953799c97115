import { z } from 'zod';
import type { CatalogueSnapshot } from './catalogue-at.js';

/** What evaluation needs to know about one clue (from the clue store and its timeline). */
export interface ClueOutcome {
  itemCode: string;
  townCode: string | null;
  openedAt: number;
  deadline: number;
  /** When it was closed, or null while still open. */
  closedAt: number | null;
  /** Times it changed hands after dispatch (transfers and re-routes after rejection). */
  transfers: number;
}

/** Thresholds for flagging candidates; planners tune them per review. */
export const evaluationOptionsSchema = z.object({
  /** At least this many clues in the period makes an item frequent in a town. */
  frequentMin: z.number().int().positive().default(10),
  /** At most this many clues in the period makes an empowered item rarely used. */
  rareMax: z.number().int().nonnegative().default(0),
  /** Below this on-time rate an empowered town often misses the item … */
  minOnTimeRate: z.number().min(0).max(1).default(0.8),
  /** … judged only once this many clues have come due. */
  minDue: z.number().int().positive().default(5),
});
export type EvaluationOptions = z.infer<typeof evaluationOptionsSchema>;

/** One town and item over the period. */
export const evaluationRowSchema = z.strictObject({
  townCode: z.string(),
  itemCode: z.string(),
  empowered: z.boolean(),
  clues: z.number().int().nonnegative(),
  onTime: z.number().int().nonnegative(),
  late: z.number().int().nonnegative(),
  /** on time ÷ (on time + late); null while nothing has come due. */
  onTimeRate: z.number().min(0).max(1).nullable(),
  /** Share of clues that changed hands; a high rate suggests the list assigns the item badly. */
  transferRate: z.number().min(0).max(1),
  /** 'delegate': frequent where not empowered (建议赋权); 'take-back': rarely used or often missed (建议收回). */
  flag: z.enum(['delegate', 'take-back']).nullable(),
});
export type EvaluationRow = z.infer<typeof evaluationRowSchema>;

/**
 * Catalogue evaluation (赋权事项运行评估) for planners: per town and item, the clues opened in
 * [from, to), how many were handled on time (closed by the deadline; open past it counts as
 * late by `now`) and how many changed hands. Rows cover every town and item that had a clue
 * and every grant in force in `catalogue` (so unused grants show up). An item that is frequent
 * in a town not empowered for it, and delegable, is a candidate to delegate; an empowered item
 * the town rarely uses or often misses is a candidate to take back. Sorted by town and item.
 */
export function evaluateCatalogue(
  outcomes: readonly ClueOutcome[],
  catalogue: CatalogueSnapshot,
  period: { from: number; to: number },
  now: number,
  options: EvaluationOptions,
): EvaluationRow[] {
  const rows = new Map<string, EvaluationRow>();
  const row = (townCode: string, itemCode: string) => {
    const key = `${townCode}|${itemCode}`;
    let r = rows.get(key);
    if (!r) {
      const empowered = catalogue.empowerment[townCode]?.[itemCode] !== undefined;
      r = { townCode, itemCode, empowered, clues: 0, onTime: 0, late: 0, onTimeRate: null, transferRate: 0, flag: null };
      rows.set(key, r);
    }
    return r;
  };
  for (const [townCode, held] of Object.entries(catalogue.empowerment)) for (const itemCode of Object.keys(held)) row(townCode, itemCode);
  const transferred = new Map<EvaluationRow, number>();
  for (const o of outcomes) {
    if (o.townCode === null || o.openedAt < period.from || o.openedAt >= period.to) continue;
    const r = row(o.townCode, o.itemCode);
    r.clues++;
    if (o.closedAt !== null && o.closedAt <= o.deadline) r.onTime++;
    else if ((o.closedAt ?? now) > o.deadline) r.late++;
    if (o.transfers > 0) transferred.set(r, (transferred.get(r) ?? 0) + 1);
  }
  for (const r of rows.values()) {
    const due = r.onTime + r.late;
    r.onTimeRate = due > 0 ? r.onTime / due : null;
    r.transferRate = r.clues > 0 ? (transferred.get(r) ?? 0) / r.clues : 0;
    const delegable = catalogue.items[r.itemCode]?.assignment === 'delegable';
    if (!r.empowered && delegable && r.clues >= options.frequentMin) r.flag = 'delegate';
    else if (r.empowered) {
      const oftenMissed = r.onTimeRate !== null && due >= options.minDue && r.onTimeRate < options.minOnTimeRate;
      if (r.clues <= options.rareMax || oftenMissed) r.flag = 'take-back';
    }
  }
  return [...rows.values()].sort((a, b) => a.townCode.localeCompare(b.townCode) || a.itemCode.localeCompare(b.itemCode));
}
