import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogueAt } from '../../server/catalogue/catalogue-at.js';
import { aggregate, clueCode } from '../../server/clues/aggregate.js';
import type { Clue } from '../../server/clues/clue.js';
import { detect, stateKey, type DetectorState } from '../../server/detection/detect.js';
import type { Alert } from '../../server/detection/alert.js';
import { route } from '../../server/routing/route-clue.js';
import { GULIN, SHIQI, T, alert, at, history, units } from '../routing/fixtures.js';
import { context, gas, located } from '../detection/fixtures.js';

const MIN = 60_000;
const decide = (a: Alert, town = SHIQI) => route(a, at(town), catalogueAt(history, a.ts), units);
/** Opens a clue for `a`, as the store would keep it. */
function opened(a: Alert, sequence = 1): Clue {
  const r = aggregate([], a, decide(a), a.ts, sequence);
  assert.equal(r.action, 'open');
  return r.action === 'open' ? r.clue : (undefined as never);
}

test('aggregate: opens a clue with code, units, reasons and deadline from the decision', () => {
  const a = alert('waste.off-corridor', { assetKey: 'truck-7', severity: 'medium' });
  const clue = opened(a, 7);
  const decision = decide(a);
  assert.deepEqual(clue, {
    code: '330203-20240506-0007',
    groupKey: '住建-渣土-03|truck-7',
    itemCode: '住建-渣土-03',
    alertType: 'waste.off-corridor',
    assetKey: 'truck-7',
    catalogueVersion: 7,
    status: 'new',
    severity: 'medium',
    alertCount: 1,
    firstSeen: T,
    lastSeen: T,
    openedAt: T,
    deadline: T + 1440 * MIN,
    windowMin: 240,
    primaryUnitId: 'team-330203001',
    coNotifiedUnitIds: [],
    boardUnitIds: [],
    districtCode: '330203',
    townCode: '330203001',
    position: { lon: 121.5, lat: 29.8 },
    needsConfirmation: false,
    reasons: decision.reasons,
    summary: { zh: '测试', en: 'test' },
    rejectedBy: [],
    closedAtSource: false,
  });
});

test('aggregate: join or open, by item, asset, window and status', () => {
  const first = alert('waste.off-corridor', { assetKey: 'truck-7', severity: 'medium' });
  const open = opened(first);
  const cases: [string, Alert, Clue[], 'join' | 'open'][] = [
    ['same item and asset within the window', { ...first, ts: T + 30 * MIN }, [open], 'join'],
    ['exactly at the end of the window (240 min after last seen)', { ...first, ts: T + 240 * MIN }, [open], 'join'],
    ['one ms past the window', { ...first, ts: T + 240 * MIN + 1 }, [open], 'open'],
    ['a late alert from before the clue, within the window', { ...first, ts: T - 10 * MIN }, [open], 'join'],
    ['another truck', { ...first, assetKey: 'truck-8' }, [open], 'open'],
    ['same truck, another item', { ...first, type: 'waste.dumping-outside-site' }, [open], 'open'],
    ['same item, other alert type of it (outside hours is also 住建-渣土-03)', { ...first, type: 'waste.outside-hours' }, [open], 'join'],
    ['the clue is closed', { ...first, ts: T + MIN }, [{ ...open, status: 'closed' }], 'open'],
    ['the clue was merged', { ...first, ts: T + MIN }, [{ ...open, status: 'merged' }], 'open'],
    ['the clue is being handled', { ...first, ts: T + MIN }, [{ ...open, status: 'handling' }], 'join'],
  ];
  for (const [name, a, clues, action] of cases) assert.equal(aggregate(clues, a, decide(a), a.ts, 2).action, action, name);
});

test('aggregate: joining bumps the count and last seen, keeps the highest severity, joins the latest clue', () => {
  const a = alert('gas.leak', { assetKey: 'gas-1', severity: 'high', summary: { zh: '高限', en: 'high' } });
  const older = { ...opened(a, 1), lastSeen: T - 600 * MIN, firstSeen: T - 700 * MIN };
  const newer = { ...opened(a, 2), alertCount: 3 };
  const cases: [Alert, AggregatePatch][] = [
    [{ ...a, ts: T + MIN, severity: 'medium', summary: { zh: '低限', en: 'low' } }, { alertCount: 4, lastSeen: T + MIN, severity: 'high', summary: { zh: '高限', en: 'high' } }],
    [{ ...a, ts: T + MIN, severity: 'critical', summary: { zh: '危险', en: 'critical' } }, { alertCount: 4, lastSeen: T + MIN, severity: 'critical', summary: { zh: '危险', en: 'critical' } }],
    [{ ...a, ts: T - MIN }, { alertCount: 4, lastSeen: T, severity: 'high', summary: { zh: '高限', en: 'high' } }],
  ];
  for (const [alertIn, patch] of cases)
    assert.deepEqual(aggregate([older, newer], alertIn, decide(alertIn), T + 2 * MIN, 9), { action: 'join', clueCode: newer.code, patch });
});
type AggregatePatch = Extract<ReturnType<typeof aggregate>, { action: 'join' }>['patch'];

test('clueCode: district, local date of opening, four-digit sequence', () => {
  assert.deepEqual(
    [
      clueCode('330203', Date.parse('2024-03-01T00:00:00+08:00'), 7),
      clueCode('330203', Date.parse('2024-02-29T23:59:59+08:00'), 12345),
      clueCode(null, Date.parse('2024-03-01T08:00:00+08:00'), 1),
    ],
    ['330203-20240301-0007', '330203-20240229-12345', '000000-20240301-0001'],
  );
});

test('pipeline: a gas leak rising low → high → critical is one clue, upgraded, for the team and the utility', () => {
  const ctx = context();
  const states = new Map<string, DetectorState>();
  const clues: Clue[] = [];
  const actions: string[] = [];
  [5, 12, 18, 30, 55].forEach((lel, i) => {
    const event = gas(i + 1, i * 60, lel);
    const out = detect(states.get(stateKey(event)), event, located(), ctx);
    states.set(stateKey(event), out.state);
    for (const a of out.alerts) {
      const r = aggregate(clues, a, route(a, at(GULIN), catalogueAt(history, a.ts), units), a.ts, clues.length + 1);
      if (r.action === 'open') clues.push(r.clue);
      else Object.assign(clues.find((c) => c.code === r.clueCode)!, r.patch);
      actions.push(`${r.action}:${a.severity}`);
    }
  });
  assert.deepEqual(actions, ['open:medium', 'join:high', 'join:critical']);
  assert.deepEqual(
    clues.map((c) => [c.code, c.itemCode, c.severity, c.alertCount, c.primaryUnitId, c.coNotifiedUnitIds, c.deadline - c.firstSeen, c.summary.zh]),
    [
      [
        '330203-20240301-0001',
        '住建-燃气-01',
        'critical',
        3,
        'dept-330203-construction',
        ['team-330203003', 'utility-gas-north', 'dept-330203-emergency'],
        30 * MIN,
        '燃气报警器 gas-1 危险报警：55 %LEL',
      ],
    ],
  );
});
