import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogueAt } from '../../server/catalogue/catalogue-at.js';
import { aggregate } from '../../server/clues/aggregate.js';
import type { Clue } from '../../server/clues/clue.js';
import { transition, type Actor, type ClueAction } from '../../server/clues/lifecycle.js';
import { route } from '../../server/routing/route-clue.js';
import { GULIN, T, alert, at, history, units } from '../routing/fixtures.js';

const a = alert('waste.off-corridor', { assetKey: 'truck-7' });
const opened = aggregate([], a, route(a, at(GULIN), catalogueAt(history, T), units), T, 1);
const CLUE: Clue = opened.action === 'open' ? opened.clue : (undefined as never);
const OPERATOR: Actor = { userId: 'op1', role: 'operator', unitId: null };
const DEPT: Actor = { userId: 'zj1', role: 'officer', unitId: 'dept-330203-construction' };
const TEAM: Actor = { userId: 'gl1', role: 'officer', unitId: 'team-330203003' };
const OFFICE = 'coord-330203';

/** Plays actions in order and returns each step's outcome: the new status, or the error code. */
function play(steps: [ClueAction, Actor][], start: Clue = CLUE): { outcomes: string[]; clue: Clue } {
  let clue = start;
  const outcomes = steps.map(([action, actor], i) => {
    const r = transition(clue, action, actor, T + i * 60_000);
    if (!r.ok) return r.error.code;
    clue = r.clue;
    return r.event.to;
  });
  return { outcomes, clue };
}

test('lifecycle: the main path, new → … → closed', () => {
  const { outcomes, clue } = play([
    [{ type: 'dispatch' }, OPERATOR],
    [{ type: 'accept' }, DEPT],
    [{ type: 'start' }, DEPT],
    [{ type: 'feedback', note: '已责令清理' }, DEPT],
    [{ type: 'return', reason: '现场仍有渣土' }, OPERATOR],
    [{ type: 'feedback', note: '已清理完毕' }, DEPT],
    [{ type: 'verify' }, OPERATOR],
    [{ type: 'close' }, OPERATOR],
    [{ type: 'accept' }, DEPT],
  ]);
  assert.deepEqual(outcomes, ['dispatched', 'accepted', 'handling', 'feedback', 'handling', 'feedback', 'verified', 'closed', 'GW_CLUE_STATE']);
  assert.equal(clue.status, 'closed');
});

test('lifecycle: permissions — command actions need an operator, unit actions the assigned unit', () => {
  const dispatched = play([[{ type: 'dispatch' }, OPERATOR]]).clue;
  const cases: [string, ClueAction, Actor, Clue, string][] = [
    ['a unit cannot dispatch', { type: 'dispatch' }, DEPT, CLUE, 'GW_CLUE_FORBIDDEN'],
    ['another unit cannot accept', { type: 'accept' }, TEAM, dispatched, 'GW_CLUE_FORBIDDEN'],
    ['an operator cannot accept for the unit', { type: 'accept' }, OPERATOR, dispatched, 'GW_CLUE_FORBIDDEN'],
    ['a planner cannot escalate', { type: 'escalate', reason: '立案', procedure: 'normal' }, { userId: 'p', role: 'planner', unitId: null }, dispatched, 'GW_CLUE_FORBIDDEN'],
    ['the assigned unit can transfer', { type: 'transfer', toUnitId: 'team-330203003', reason: '属地处置' }, DEPT, dispatched, 'transferred'],
    ['not to itself', { type: 'transfer', toUnitId: 'dept-330203-construction', reason: '—' }, DEPT, dispatched, 'GW_CLUE_INVALID'],
    ['an operator can escalate to a case', { type: 'escalate', reason: '立案查处', procedure: 'simple' }, OPERATOR, dispatched, 'escalated'],
    ['an operator can merge a duplicate', { type: 'merge', intoCode: '330203-20240506-0002' }, OPERATOR, dispatched, 'merged'],
    ['not into itself', { type: 'merge', intoCode: CLUE.code }, OPERATOR, dispatched, 'GW_CLUE_INVALID'],
    ['cannot verify before feedback', { type: 'verify' }, OPERATOR, dispatched, 'GW_CLUE_STATE'],
  ];
  for (const [name, action, actor, clue, expected] of cases) {
    const r = transition(clue, action, actor, T);
    assert.equal(r.ok ? r.event.to : r.error.code, expected, name);
  }
});

test('lifecycle: rejected by two units → the co-ordination office, which cannot reject', () => {
  const OFFICER: Actor = { userId: 'co1', role: 'officer', unitId: OFFICE };
  const { outcomes, clue } = play([
    [{ type: 'dispatch' }, OPERATOR],
    [{ type: 'reject', reason: '属地事项，非住建职责', coordinationOfficeId: OFFICE }, DEPT],
    [{ type: 'dispatch', toUnitId: 'team-330203003' }, OPERATOR],
    [{ type: 'reject', reason: '未获赋权', coordinationOfficeId: OFFICE }, TEAM],
    [{ type: 'reject', reason: '—', coordinationOfficeId: OFFICE }, OFFICER],
    [{ type: 'transfer', toUnitId: 'dept-330203-construction', reason: '协调认定：住建负责' }, OFFICER],
  ]);
  assert.deepEqual(outcomes, ['dispatched', 'rejected', 'dispatched', 'dispatched', 'GW_CLUE_INVALID', 'transferred']);
  assert.deepEqual([clue.primaryUnitId, clue.rejectedBy], ['dept-330203-construction', ['dept-330203-construction', 'team-330203003']]);
});

test('lifecycle: the timeline event records who, when, what changed and why', () => {
  const dispatched = play([[{ type: 'dispatch' }, OPERATOR]]).clue;
  const r = transition(dispatched, { type: 'reject', reason: '非本单位职责', coordinationOfficeId: OFFICE }, DEPT, T + 5_000);
  assert.deepEqual(r.ok && r.event, {
    clueCode: '330203-20240506-0001',
    at: T + 5_000,
    by: { userId: 'zj1', role: 'officer', unitId: 'dept-330203-construction' },
    action: 'reject',
    from: 'dispatched',
    to: 'rejected',
    changes: { rejectedBy: ['dept-330203-construction'], status: 'rejected' },
    note: '非本单位职责',
  });
});

test('lifecycle: dispatching confirms the routing (clears needsConfirmation) and may re-route', () => {
  const r = transition({ ...CLUE, needsConfirmation: true }, { type: 'dispatch', toUnitId: 'team-330203003' }, OPERATOR, T);
  assert.deepEqual(r.ok && [r.clue.status, r.clue.needsConfirmation, r.clue.primaryUnitId], ['dispatched', false, 'team-330203003']);
});
