import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogueAt } from '../../server/catalogue/catalogue-at.js';
import { evaluateCatalogue, evaluationOptionsSchema, type ClueOutcome } from '../../server/catalogue/evaluate.js';
import { GULIN, SHIQI, T, history } from '../routing/fixtures.js';

const H = 3_600_000;
const clue = (townCode: string | null, itemCode: string, over: Partial<ClueOutcome> = {}): ClueOutcome => ({
  itemCode,
  townCode,
  openedAt: T,
  deadline: T + 2 * H,
  closedAt: T + H,
  transfers: 0,
  ...over,
});
const times = (n: number, make: (i: number) => ClueOutcome) => Array.from({ length: n }, (_, i) => make(i));

test('evaluateCatalogue: candidates to delegate and to take back, with rates', () => {
  const outcomes = [
    // Frequent in a town not empowered for it, and delegable: delegate.
    ...times(10, (i) => clue(GULIN.code, '住建-渣土-01', { transfers: i < 4 ? 1 : 0 })),
    // Frequent but a department item: never delegated.
    ...times(12, () => clue(GULIN.code, '交警-停车-01')),
    // Empowered and often late (2 of 6 on time): take back. One more is open and not yet due.
    ...times(6, (i) => clue(SHIQI.code, '住建-燃气-01', { closedAt: i < 2 ? T + H : T + 3 * H })),
    clue(SHIQI.code, '住建-燃气-01', { openedAt: T + 10 * H, deadline: T + 100 * H, closedAt: null }),
    // Outside the period, or in no town: not counted.
    clue(GULIN.code, '住建-渣土-01', { openedAt: T - 48 * H }),
    clue(null, '住建-渣土-01'),
  ];
  const rows = evaluateCatalogue(outcomes, catalogueAt(history, T)!, { from: T - H, to: T + 24 * H }, T + 20 * H, evaluationOptionsSchema.parse({}));
  assert.deepEqual(
    rows.map((r) => [r.townCode, r.itemCode, r.empowered, r.clues, r.onTime, r.late, r.onTimeRate, r.transferRate, r.flag]),
    [
      [SHIQI.code, '住建-渣土-03', true, 0, 0, 0, null, 0, 'take-back'],
      [SHIQI.code, '住建-燃气-01', true, 7, 2, 4, 2 / 6, 0, 'take-back'],
      [GULIN.code, '交警-停车-01', false, 12, 12, 0, 1, 0, null],
      [GULIN.code, '住建-渣土-01', false, 10, 10, 0, 1, 0.4, 'delegate'],
    ],
  );
});

test('evaluateCatalogue: an empowered item handled well and often is not flagged', () => {
  const rows = evaluateCatalogue(
    times(8, () => clue(SHIQI.code, '住建-渣土-03')),
    catalogueAt(history, T)!,
    { from: T - H, to: T + H },
    T + H,
    evaluationOptionsSchema.parse({}),
  );
  assert.deepEqual(rows.map((r) => [r.itemCode, r.clues, r.onTimeRate, r.flag]), [
    ['住建-渣土-03', 8, 1, null],
    ['住建-燃气-01', 0, null, 'take-back'],
  ]);
});
