import type pg from 'pg';
import { withTransaction } from '../../db/transaction.js';
import { recordChanges } from '../../server/clues/stored-clue.js';

/**
 * Twenty clues and their timelines, with the efficiency figures worked out BY HAND below, for
 * test/lifecycle/efficiency.test.ts. Every clue is due (accept and close) 120 minutes after it
 * opened (deadline_at; no accept_due_at/close_due_at columns); times in the timelines are
 * minutes after opening. The period is [2025-06-01T00:00Z, 2025-06-02T00:00Z) and the figures
 * are taken long after, so whatever is not done is past due.
 *
 * Towns: T1 = 330203001, T2 = 330203002 (district 330203). Units: U1 = team-330203001,
 * U2 = team-330203002, U3 = dept-330203-construction. `unit` is the clue's final primary unit.
 * Re-routed = a transfer, a dispatch naming a unit, or a second rejection (co-ordination).
 * "close at source" (源头化解) is the grid worker's closeAtSource action, which also sets the
 * clue's closed_at_source flag.
 */
export const PERIOD = { from: '2025-06-01T00:00:00.000Z', to: '2025-06-02T00:00:00.000Z' };
export const T1 = '330203001';
export const T2 = '330203002';
export const U1 = 'team-330203001';
export const U2 = 'team-330203002';
export const U3 = 'dept-330203-construction';
const DUE_MIN = 120;

type Step = [min: number, action: string, unitChange?: string];
interface FixtureClue {
  code: string;
  town: string;
  unit: string;
  status: string;
  /** Opened at PERIOD.from + this many minutes (negative: before the period). */
  openedMin: number;
  steps: Step[];
}

/*
 * | clue | town | unit | status     | timeline (minutes after opening)                      | notes                          |
 * |------|------|------|------------|-------------------------------------------------------|--------------------------------|
 * | c01  | T1   | U1   | closed     | dispatch 5, accept 20, close at source 100                      | all on time                    |
 * | c02  | T1   | U1   | closed     | dispatch 5, accept 40, close at source 150                      | closed late                    |
 * | c03  | T1   | U1   | closed     | dispatch 10, accept 130, close at source 200                    | accepted late, closed late     |
 * | c04  | T1   | U1   | handling   | dispatch 5, accept 10, start 12                       | overdue                        |
 * | c05  | T1   | U1   | dispatched | dispatch 5                                            | never accepted; overdue        |
 * | c06  | T1   | U1   | new        | (none)                                                | never dispatched; overdue      |
 * | c07  | T1   | U1   | closed     | dispatch 5 (to U3), transfer 15 → U1, accept 30, close 90 | re-routed (transfer)       |
 * | c08  | T1   | U1   | closed     | dispatch 5 naming U1, accept 25, close 110            | re-routed (dispatch to a unit) |
 * | c09  | T1   | U3   | escalated  | dispatch 5, accept 60, escalate 80                    | close not judged               |
 * | c10  | T1   | U1   | merged     | dispatch 5, merge 7                                   | duplicate: counts nowhere      |
 * | c11  | T2   | U2   | closed     | dispatch 5, accept 15, close at source 60                       |                                |
 * | c12  | T2   | U2   | closed     | dispatch 5, accept 45, close at source 120                      | closed exactly at due: on time |
 * | c13  | T2   | U2   | closed     | dispatch 5, accept 121, close at source 240                     | both late                      |
 * | c14  | T2   | U2   | closed     | dispatch 5 (U3), reject 10, dispatch 20 naming U2, accept 50, close 100 | re-routed    |
 * | c15  | T2   | U3   | closed     | dispatch 5, accept 30, close at source 90                       |                                |
 * | c16  | T2   | U3   | closed     | dispatch 5, accept 200, close at source 300                     | both late                      |
 * | c17  | T2   | U2   | feedback   | dispatch 5, accept 20, feedback 60                    | overdue                        |
 * | c18  | T2   | U2   | closed     | dispatch 5, accept 10, close at source 80                       |                                |
 * | c19  | T2   | U2   | closed     | dispatch 5, accept 10, close 20 (opened 2025-05-31 23:00) | outside the period         |
 * | c20  | T2   | U3   | accepted   | dispatch 5 (U2), transfer 30 → U3, accept 70          | re-routed; overdue             |
 */
export const CLUES: FixtureClue[] = [
  { code: 'c01', town: T1, unit: U1, status: 'closed', openedMin: 0, steps: [[5, 'dispatch'], [20, 'accept'], [100, 'closeAtSource']] },
  { code: 'c02', town: T1, unit: U1, status: 'closed', openedMin: 30, steps: [[5, 'dispatch'], [40, 'accept'], [150, 'closeAtSource']] },
  { code: 'c03', town: T1, unit: U1, status: 'closed', openedMin: 60, steps: [[10, 'dispatch'], [130, 'accept'], [200, 'closeAtSource']] },
  { code: 'c04', town: T1, unit: U1, status: 'handling', openedMin: 90, steps: [[5, 'dispatch'], [10, 'accept'], [12, 'start']] },
  { code: 'c05', town: T1, unit: U1, status: 'dispatched', openedMin: 120, steps: [[5, 'dispatch']] },
  { code: 'c06', town: T1, unit: U1, status: 'new', openedMin: 150, steps: [] },
  { code: 'c07', town: T1, unit: U1, status: 'closed', openedMin: 180, steps: [[5, 'dispatch'], [15, 'transfer', U1], [30, 'accept'], [90, 'close']] },
  { code: 'c08', town: T1, unit: U1, status: 'closed', openedMin: 210, steps: [[5, 'dispatch', U1], [25, 'accept'], [110, 'close']] },
  { code: 'c09', town: T1, unit: U3, status: 'escalated', openedMin: 240, steps: [[5, 'dispatch'], [60, 'accept'], [80, 'escalate']] },
  { code: 'c10', town: T1, unit: U1, status: 'merged', openedMin: 270, steps: [[5, 'dispatch'], [7, 'merge']] },
  { code: 'c11', town: T2, unit: U2, status: 'closed', openedMin: 300, steps: [[5, 'dispatch'], [15, 'accept'], [60, 'closeAtSource']] },
  { code: 'c12', town: T2, unit: U2, status: 'closed', openedMin: 330, steps: [[5, 'dispatch'], [45, 'accept'], [120, 'closeAtSource']] },
  { code: 'c13', town: T2, unit: U2, status: 'closed', openedMin: 360, steps: [[5, 'dispatch'], [121, 'accept'], [240, 'closeAtSource']] },
  { code: 'c14', town: T2, unit: U2, status: 'closed', openedMin: 390, steps: [[5, 'dispatch'], [10, 'reject'], [20, 'dispatch', U2], [50, 'accept'], [100, 'close']] },
  { code: 'c15', town: T2, unit: U3, status: 'closed', openedMin: 420, steps: [[5, 'dispatch'], [30, 'accept'], [90, 'closeAtSource']] },
  { code: 'c16', town: T2, unit: U3, status: 'closed', openedMin: 450, steps: [[5, 'dispatch'], [200, 'accept'], [300, 'closeAtSource']] },
  { code: 'c17', town: T2, unit: U2, status: 'feedback', openedMin: 480, steps: [[5, 'dispatch'], [20, 'accept'], [60, 'feedback']] },
  { code: 'c18', town: T2, unit: U2, status: 'closed', openedMin: 510, steps: [[5, 'dispatch'], [10, 'accept'], [80, 'closeAtSource']] },
  { code: 'c19', town: T2, unit: U2, status: 'closed', openedMin: -60, steps: [[5, 'dispatch'], [10, 'accept'], [20, 'close']] },
  { code: 'c20', town: T2, unit: U3, status: 'accepted', openedMin: 540, steps: [[5, 'dispatch'], [30, 'transfer', U3], [70, 'accept']] },
];

/*
 * Expected figures, by hand. Population: c10 (merged) and c19 (before the period) are left out.
 *
 * BY TOWN
 * T1 = c01..c09 (9 clues)
 *   accept judged: accepted c01 c02 c03 c04 c07 c08 c09 (7) + unaccepted past due c05 c06 (2) = 9
 *   accepted on time (≤ 120): c01 20, c02 40, c04 10, c07 30, c08 25, c09 60 = 6 (c03 130 late) → 6/9
 *   close judged: closed c01 c02 c03 c07 c08 (5) + open past due c04 c05 c06 (3) = 8 (c09 escalated, never closed: not judged)
 *   closed on time: c01 100, c07 90, c08 110 = 3 (c02 150, c03 200 late) → 3/8 = 0.375
 *   dispatched: all but c06 = 8; re-routed c07 (transfer), c08 (dispatch naming U1) → kept 6 → 6/8 = 0.75
 *   median accept: 10 20 25 30 40 60 130 → 30 (4th of 7)
 *   median close: 90 100 110 150 200 → 110
 *   closed 5; at the source (close at source) c01 c02 c03 = 3 → 3/5 = 0.6
 *   overdue: c04 c05 c06 = 3
 * T2 = c11..c18, c20 (9 clues)
 *   accept judged: all 9 accepted; on time: all but c13 (121) and c16 (200) = 7 → 7/9
 *   close judged: closed c11 c12 c13 c14 c15 c16 c18 (7) + open past due c17 c20 (2) = 9
 *   closed on time: c11 60, c12 120 (= due), c14 100, c15 90, c18 80 = 5 → 5/9
 *   dispatched 9; re-routed c14 (dispatch naming U2), c20 (transfer) → kept 7 → 7/9
 *   median accept: 10 15 20 30 45 50 70 121 200 → 45 (5th of 9)
 *   median close: 60 80 90 100 120 240 300 → 100
 *   closed 7; at the source: all but c14 = 6 (c14 closed after verification) → 6/7
 *   overdue: c17 c20 = 2
 *
 * BY UNIT
 * U1 = c01..c08 (8 clues)
 *   accept judged: accepted c01 c02 c03 c04 c07 c08 (6) + c05 c06 (2) = 8; on time c01 c02 c04 c07 c08 = 5 → 5/8 = 0.625
 *   close judged: closed c01 c02 c03 c07 c08 (5) + c04 c05 c06 (3) = 8; on time c01 c07 c08 = 3 → 3/8 = 0.375
 *   dispatched c01..c05 c07 c08 = 7; kept (not c07, c08) = 5 → 5/7
 *   median accept: 10 20 25 30 40 130 → (25 + 30) / 2 = 27.5
 *   median close: 90 100 110 150 200 → 110
 *   closed 5; at the source c01 c02 c03 = 3 → 0.6; overdue c04 c05 c06 = 3
 * U2 = c11 c12 c13 c14 c17 c18 (6 clues)
 *   accept judged 6; on time all but c13 = 5 → 5/6
 *   close judged: closed c11 c12 c13 c14 c18 (5) + c17 (1) = 6; on time c11 c12 c14 c18 = 4 → 4/6
 *   dispatched 6; re-routed c14 → kept 5 → 5/6
 *   median accept: 10 15 20 45 50 121 → (20 + 45) / 2 = 32.5
 *   median close: 60 80 100 120 240 → 100
 *   closed 5; at the source c11 c12 c13 c18 = 4 → 0.8; overdue c17 = 1
 * U3 = c09 c15 c16 c20 (4 clues)
 *   accept judged 4; on time c09 60, c15 30, c20 70 = 3 (c16 200 late) → 0.75
 *   close judged: closed c15 c16 (2) + c20 open past due (1) = 3 (c09 escalated: not judged); on time c15 = 1 → 1/3
 *   dispatched 4; re-routed c20 → kept 3 → 0.75
 *   median accept: 30 60 70 200 → (60 + 70) / 2 = 65
 *   median close: 90 300 → (90 + 300) / 2 = 195
 *   closed 2; at the source c15 c16 = 2 → 1; overdue c20 = 1
 */
const figures = (
  key: string,
  clues: number,
  [acceptedOnTime, acceptJudged]: [number, number],
  [closedOnTime, closeJudged]: [number, number],
  [firstDispatchKept, dispatched]: [number, number],
  medianAcceptMin: number,
  medianCloseMin: number,
  [closedAtSource, closed]: [number, number],
  overdue: number,
) => ({
  key,
  clues,
  acceptOnTimeRate: acceptedOnTime / acceptJudged,
  acceptJudged,
  acceptedOnTime,
  closeOnTimeRate: closedOnTime / closeJudged,
  closeJudged,
  closedOnTime,
  firstDispatchPrecision: firstDispatchKept / dispatched,
  dispatched,
  firstDispatchKept,
  medianAcceptMin,
  medianCloseMin,
  closedAtSourceShare: closedAtSource / closed,
  closed,
  closedAtSource,
  overdue,
});

export const EXPECTED = {
  town: [figures(T1, 9, [6, 9], [3, 8], [6, 8], 30, 110, [3, 5], 3), figures(T2, 9, [7, 9], [5, 9], [7, 9], 45, 100, [6, 7], 2)],
  unit: [
    figures(U3, 4, [3, 4], [1, 3], [3, 4], 65, 195, [2, 2], 1),
    figures(U1, 8, [5, 8], [3, 8], [5, 7], 27.5, 110, [3, 5], 3),
    figures(U2, 6, [5, 6], [4, 6], [5, 6], 32.5, 100, [4, 5], 1),
  ],
};

const MIN = 60_000;

/** Writes the fixture's clues straight into the table, and their timelines through `recordChanges` (the hash chain). */
export async function loadEfficiencyFixture(pool: pg.Pool): Promise<void> {
  const start = Date.parse(PERIOD.from);
  for (const [i, c] of CLUES.entries()) {
    const opened = new Date(start + c.openedMin * MIN);
    const atSource = c.steps.some(([, action]) => action === 'closeAtSource');
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO clues (code, item_code, status, severity, primary_unit_id, town_code, district_code, asset_key, position,
                          first_seen_at, last_seen_at, deadline_at, group_key, alert_type, window_min, opened_at, summary,
                          accept_due_at, close_due_at, closed_at_source, next_deadline_at)
       VALUES ($1, '住建-渣土-01', $2, 'medium', $3, $4, '330203', $5, ST_SetSRID(ST_MakePoint(121.5 + $6::int * 0.001, 29.88), 4326),
               $7, $7, $8, $5, 'waste.dumping-outside-site', 60, $7, '{"zh": "测试", "en": "test"}', $8, $8, $9, NULL)
       RETURNING id`,
      [c.code, c.status, c.unit, c.town, `fixture-${c.code}`, i, opened, new Date(opened.getTime() + DUE_MIN * MIN), atSource],
    );
    const timeline = [[0, 'opened'] as Step, ...c.steps].map(([min, action, unit]) => ({
      clue_id: Number(rows[0]!.id),
      at: opened.getTime() + min * MIN,
      actor: action === 'opened' ? 'pipeline' : 'fixture',
      action,
      from_status: null,
      to_status: null,
      source: null,
      detail: { changes: unit ? { primaryUnitId: unit } : {} },
    }));
    await withTransaction(pool, (client) => recordChanges(client, timeline, []));
  }
}
