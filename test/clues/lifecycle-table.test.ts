/**
 * The lifecycle's whole state machine as a table: every (status, action, role) triple, generated
 * from the lifecycle's own lists of statuses and actions, against an outcome written out by hand
 * below (EXPECTED): the status the action leads to, or the refusal's code. Allowed triples are
 * also checked for their effects, and `allowedActions` for agreeing with the same table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLUE_STATUSES, type Clue, type ClueStatus } from '../../server/clues/clue.js';
import { allowedActions, CLUE_ACTION_TYPES, transition, type Actor, type ClueAction, type ClueActionType, type Routing } from '../../server/clues/lifecycle.js';

const UNIT = 'team-330203001';
const OTHER_UNIT = 'dept-330203-construction';
const OFFICE = 'coord-330203';
const T = Date.parse('2024-05-06T10:00:00+08:00');

/** The actors, one per role, and an officer of another unit (the assignee check). */
const ACTORS = {
  admin: { userId: 'admin', role: 'admin', unitId: null },
  operator: { userId: 'op', role: 'operator', unitId: null },
  planner: { userId: 'pl', role: 'planner', unitId: null },
  officer: { userId: 'off', role: 'officer', unitId: UNIT },
  worker: { userId: 'wk', role: 'worker', unitId: UNIT },
  outsider: { userId: 'out', role: 'officer', unitId: OTHER_UNIT },
} as const satisfies Record<string, Actor>;
type Who = keyof typeof ACTORS;
const WHO = Object.keys(ACTORS) as Who[];

/** Outcomes in the order of ACTORS: the status reached, or the refusal (GW_CLUE_<code>). */
type Outcome = ClueStatus | 'STATE' | 'FORBIDDEN';
type Outcomes = [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

const BASE: Clue = {
  code: '330203-20240506-0001',
  groupKey: '城管-停车-01|NP-01',
  itemCode: '城管-停车-01',
  alertType: 'parking.no-parking-pavement',
  assetKey: 'NP-01',
  catalogueVersion: 1,
  status: 'new',
  severity: 'medium',
  alertCount: 1,
  firstSeen: T,
  lastSeen: T,
  openedAt: T,
  deadline: T + 7_200_000,
  windowMin: 60,
  primaryUnitId: UNIT,
  coNotifiedUnitIds: [],
  boardUnitIds: [],
  districtCode: '330203',
  townCode: '330203001',
  position: { lon: 121.5, lat: 29.8 },
  needsConfirmation: true,
  reasons: [{ rule: 'territorial', zh: '属地', en: 'territorial' }],
  summary: { zh: '人行道违停', en: 'pavement parking' },
  rejectedBy: [],
  closedAtSource: false,
};

const ROUTING: Routing = {
  itemCode: '城管-停车-01',
  catalogueVersion: 2,
  primaryUnitId: OTHER_UNIT,
  coNotifiedUnitIds: [UNIT],
  boardUnitIds: [],
  needsConfirmation: false,
  reasons: [{ rule: 'department', zh: '部门事项', en: 'department item' }],
};

/** One valid action of each type. */
const ACTIONS: Record<ClueActionType, ClueAction> = {
  dispatch: { type: 'dispatch' },
  accept: { type: 'accept' },
  reject: { type: 'reject', reason: '非本队职责', coordinationOfficeId: OFFICE },
  start: { type: 'start' },
  feedback: { type: 'feedback', note: '已劝离' },
  verify: { type: 'verify' },
  return: { type: 'return', reason: '仍未整改' },
  close: { type: 'close' },
  transfer: { type: 'transfer', toUnitId: OTHER_UNIT, reason: '属部门职责' },
  escalate: { type: 'escalate', reason: '拒不整改，立案', procedure: 'normal' },
  closeAtSource: { type: 'closeAtSource', note: '现场劝导车主驶离' },
  reroute: { type: 'reroute', routing: ROUTING },
  merge: { type: 'merge', intoCode: '330203-20240506-0002' },
};

/** The changes each allowed action records besides the status (`from` matters only to reroute). */
function expectedChanges(type: ClueActionType, from: ClueStatus, to: ClueStatus): Record<string, unknown> {
  switch (type) {
    case 'dispatch':
      return { needsConfirmation: false, status: to };
    case 'reject':
      return { rejectedBy: [UNIT], status: to };
    case 'transfer':
      return { primaryUnitId: OTHER_UNIT, status: to };
    case 'escalate':
      return { procedure: 'normal', status: to };
    case 'closeAtSource':
      return { closedAtSource: true, status: to };
    case 'reroute':
      return { ...ROUTING, rejectedBy: [], status: from === 'new' ? 'new' : 'dispatched' };
    default:
      return { status: to };
  }
}

// Written out by hand from docs/DESIGN.md §6 and issue 9, per action and status, for
// [admin, operator, planner, officer of the unit, worker of the unit, officer of another unit].
const EXPECTED: Record<ClueActionType, Record<ClueStatus, Outcomes>> = {
  dispatch: {
    new: ['dispatched', 'dispatched', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    dispatched: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    accepted: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    handling: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['dispatched', 'dispatched', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    transferred: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  accept: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'accepted', 'accepted', 'FORBIDDEN'],
    accepted: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    handling: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'accepted', 'accepted', 'FORBIDDEN'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  reject: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'rejected', 'rejected', 'FORBIDDEN'],
    accepted: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    handling: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'rejected', 'rejected', 'FORBIDDEN'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  start: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    accepted: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'handling', 'handling', 'FORBIDDEN'],
    handling: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  feedback: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    accepted: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'feedback', 'feedback', 'FORBIDDEN'],
    handling: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'feedback', 'feedback', 'FORBIDDEN'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  verify: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    accepted: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    handling: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    feedback: ['verified', 'verified', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  return: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    accepted: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    handling: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    feedback: ['handling', 'handling', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  close: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    accepted: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    handling: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['closed', 'closed', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  transfer: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['transferred', 'transferred', 'FORBIDDEN', 'transferred', 'transferred', 'FORBIDDEN'],
    accepted: ['transferred', 'transferred', 'FORBIDDEN', 'transferred', 'transferred', 'FORBIDDEN'],
    handling: ['transferred', 'transferred', 'FORBIDDEN', 'transferred', 'transferred', 'FORBIDDEN'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['transferred', 'transferred', 'FORBIDDEN', 'transferred', 'transferred', 'FORBIDDEN'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  escalate: {
    new: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    dispatched: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    accepted: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    handling: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    feedback: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    verified: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    transferred: ['escalated', 'escalated', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  closeAtSource: {
    new: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    dispatched: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    accepted: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'closed', 'FORBIDDEN'],
    handling: ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'closed', 'FORBIDDEN'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    transferred: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  reroute: {
    new: ['new', 'new', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    dispatched: ['dispatched', 'dispatched', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    accepted: ['dispatched', 'dispatched', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    handling: ['dispatched', 'dispatched', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    feedback: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    verified: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['dispatched', 'dispatched', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    transferred: ['dispatched', 'dispatched', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
  merge: {
    new: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    dispatched: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    accepted: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    handling: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    feedback: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    verified: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    closed: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    rejected: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    transferred: ['merged', 'merged', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    escalated: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
    merged: ['STATE', 'STATE', 'STATE', 'STATE', 'STATE', 'STATE'],
  },
};

const CODES = { STATE: 'GW_CLUE_STATE', FORBIDDEN: 'GW_CLUE_FORBIDDEN' } as const;
const ITEM = { closeAtSource: true };

for (const status of CLUE_STATUSES)
  test(`lifecycle table: every action and role from ${status}`, () => {
    const clue: Clue = { ...BASE, status };
    for (const type of CLUE_ACTION_TYPES)
      WHO.forEach((who, i) => {
        const want = EXPECTED[type][status][i]!;
        const r = transition(clue, ACTIONS[type], ACTORS[who], T, ITEM);
        const what = `${status} × ${type} × ${who}`;
        if (want === 'STATE' || want === 'FORBIDDEN') {
          assert.equal(r.ok ? `allowed → ${r.event.to}` : r.error.code, CODES[want], what);
          return;
        }
        assert.ok(r.ok, `${what}: expected ${want}, got ${r.ok ? '' : r.error.message}`);
        assert.equal(r.event.to, want, what);
        assert.equal(r.clue.status, want, what);
        assert.deepEqual(r.event.changes, expectedChanges(type, status, want), `${what}: effects`);
        assert.deepEqual([r.event.action, r.event.from, r.event.by], [type, status, ACTORS[who]], `${what}: the record`);
      });
  });

test('lifecycle table: allowedActions lists exactly the allowed cells of the table, for every status and role', () => {
  for (const status of CLUE_STATUSES)
    WHO.forEach((who, i) => {
      const want = CLUE_ACTION_TYPES.filter((type) => !['STATE', 'FORBIDDEN'].includes(EXPECTED[type][status][i]!));
      assert.deepEqual(allowedActions({ ...BASE, status }, ACTORS[who], ITEM), want, `${status} × ${who}`);
    });
});

test('lifecycle: the co-ordination office holding a clue may not reject it, and is not offered to', () => {
  const atOffice: Clue = { ...BASE, status: 'dispatched', primaryUnitId: OFFICE };
  const officer: Actor = { userId: 'co', role: 'officer', unitId: OFFICE };
  assert.deepEqual(allowedActions(atOffice, officer, ITEM, OFFICE), ['accept', 'transfer']);
  const r = transition(atOffice, ACTIONS.reject, officer, T);
  assert.equal(r.ok ? 'allowed' : r.error.code, 'GW_CLUE_INVALID');
});

test('lifecycle: close at source needs an item marked for it, and is counted on the clue', () => {
  const handling: Clue = { ...BASE, status: 'handling' };
  const refused = transition(handling, ACTIONS.closeAtSource, ACTORS.worker, T, { closeAtSource: false });
  assert.deepEqual(refused.ok ? null : refused.error.code, 'GW_CLUE_INVALID');
  assert.equal(transition(handling, ACTIONS.closeAtSource, ACTORS.worker, T).ok, false, 'no item facts: not allowed');
  assert.deepEqual(allowedActions(handling, ACTORS.worker, { closeAtSource: false }).includes('closeAtSource'), false);
  const r = transition(handling, ACTIONS.closeAtSource, ACTORS.worker, T, ITEM);
  assert.deepEqual(r.ok && [r.clue.status, r.clue.closedAtSource, r.event.note], ['closed', true, '现场劝导车主驶离']);
});

test('lifecycle: transfer, reject, return and escalate need a reason; blank is refused', () => {
  const dispatched: Clue = { ...BASE, status: 'dispatched' };
  const cases: [ClueAction, Actor, Clue][] = [
    [{ type: 'transfer', toUnitId: OTHER_UNIT, reason: '  ' }, ACTORS.officer, dispatched],
    [{ type: 'reject', reason: '', coordinationOfficeId: OFFICE }, ACTORS.officer, dispatched],
    [{ type: 'escalate', reason: ' ', procedure: 'simple' }, ACTORS.operator, dispatched],
    [{ type: 'return', reason: '' }, ACTORS.operator, { ...BASE, status: 'feedback' }],
  ];
  for (const [action, actor, clue] of cases) {
    const r = transition(clue, action, actor, T);
    assert.equal(r.ok ? 'allowed' : r.error.code, 'GW_CLUE_INVALID', action.type);
  }
});

test('lifecycle: a second rejection by another unit goes to co-ordination; escalation records the simple procedure', () => {
  const second = transition({ ...BASE, status: 'dispatched', rejectedBy: [OTHER_UNIT] }, ACTIONS.reject, ACTORS.officer, T);
  assert.deepEqual(second.ok && [second.clue.status, second.clue.primaryUnitId, second.clue.rejectedBy], ['dispatched', OFFICE, [OTHER_UNIT, UNIT]]);
  const simple = transition({ ...BASE, status: 'accepted' }, { type: 'escalate', reason: '当场处罚', procedure: 'simple' }, ACTORS.operator, T);
  assert.deepEqual(simple.ok && simple.event.changes, { procedure: 'simple', status: 'escalated' });
});

test('lifecycle: a re-route keeps the decision it replaced beside the new one', () => {
  const r = transition({ ...BASE, status: 'rejected', rejectedBy: [UNIT] }, ACTIONS.reroute, ACTORS.operator, T);
  assert.ok(r.ok);
  assert.deepEqual(r.event.previous, {
    itemCode: BASE.itemCode,
    catalogueVersion: 1,
    primaryUnitId: UNIT,
    coNotifiedUnitIds: [],
    boardUnitIds: [],
    needsConfirmation: true,
    reasons: BASE.reasons,
  });
  assert.deepEqual([r.clue.primaryUnitId, r.clue.catalogueVersion, r.clue.rejectedBy, r.clue.reasons], [OTHER_UNIT, 2, [], ROUTING.reasons]);
  assert.equal(r.event.note, '部门事项');
});
