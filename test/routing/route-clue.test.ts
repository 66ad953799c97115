import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocateResult } from '../../geo/types.js';
import type { Alert } from '../../server/detection/alert.js';
import { catalogueAt } from '../../server/catalogue/catalogue-at.js';
import { indexUnits } from '../../server/catalogue/units.js';
import { route, type ReasonRule } from '../../server/routing/route-clue.js';
import { GULIN, HAISHU, JISHIGANG, MARCH_1, SHIQI, T, alert, at, history, units } from './fixtures.js';

interface Case {
  name: string;
  alert: Alert;
  location: LocateResult;
  expect: { primary: string; coNotified: string[]; boards: string[]; needsConfirmation: boolean; rules: ReasonRule[]; deadlineMin: number };
}

const bridgeAlert = (custodianUnitId: string, code = 'BR-01') =>
  alert('bridge.structural-alarm', { assetKey: code, asset: { type: 'bridge', code, custodianUnitId }, deviceKind: 'bridge-sensor' });

const cases: Case[] = [
  {
    name: 'empowered town: its comprehensive team',
    alert: alert('waste.off-corridor'),
    location: at(SHIQI),
    expect: { primary: 'team-330203001', coNotified: [], boards: [], needsConfirmation: false, rules: ['item', 'empowered', 'deadline'], deadlineMin: 1440 },
  },
  {
    name: 'town not empowered: the district department, town co-notified as 属地',
    alert: alert('waste.off-corridor'),
    location: at(GULIN),
    expect: { primary: 'dept-330203-construction', coNotified: ['team-330203003'], boards: [], needsConfirmation: false, rules: ['item', 'not-empowered', 'deadline'], deadlineMin: 1440 },
  },
  {
    name: 'linked town of a 1+X hub: also on the hub board',
    alert: alert('waste.off-corridor'),
    location: at(JISHIGANG),
    expect: { primary: 'dept-330203-construction', coNotified: ['team-330203002'], boards: ['hub-330203001'], needsConfirmation: false, rules: ['item', 'not-empowered', 'hub', 'deadline'], deadlineMin: 1440 },
  },
  {
    name: 'bridge: the custodian named by the bridge zone, wherever the sensor is',
    alert: bridgeAlert('custodian-municipal'),
    location: at(GULIN),
    expect: { primary: 'custodian-municipal', coNotified: ['team-330203003', 'dept-330203-traffic-police'], boards: [], needsConfirmation: false, rules: ['item', 'custodian', 'also-notify', 'deadline'], deadlineMin: 60 },
  },
  {
    name: 'bridge: the custodian that lists the asset when the zone names an unknown unit',
    alert: bridgeAlert('nobody', 'BR-02'),
    location: at(SHIQI),
    expect: { primary: 'custodian-municipal', coNotified: ['team-330203001', 'dept-330203-traffic-police'], boards: [], needsConfirmation: false, rules: ['item', 'custodian', 'also-notify', 'deadline'], deadlineMin: 60 },
  },
  {
    name: 'bridge with no known custodian: the department, to be confirmed',
    alert: bridgeAlert('nobody', 'BR-09'),
    location: at(SHIQI),
    expect: { primary: 'dept-330203-transport', coNotified: ['team-330203001', 'dept-330203-traffic-police'], boards: [], needsConfirmation: true, rules: ['item', 'no-custodian', 'also-notify', 'deadline'], deadlineMin: 60 },
  },
  {
    name: 'parking on a road: traffic police, even in an empowered town',
    alert: alert('parking.no-parking-road'),
    location: at(SHIQI),
    expect: { primary: 'dept-330203-traffic-police', coNotified: [], boards: [], needsConfirmation: false, rules: ['item', 'department', 'deadline'], deadlineMin: 60 },
  },
  {
    name: 'parking on a pavement: the town team, even where not empowered',
    alert: alert('parking.no-parking-pavement'),
    location: at(GULIN),
    expect: { primary: 'team-330203003', coNotified: [], boards: [], needsConfirmation: false, rules: ['item', 'territorial', 'deadline'], deadlineMin: 120 },
  },
  {
    name: 'gas leak in an empowered town: the team, and the gas utility and emergency bureau',
    alert: alert('gas.leak'),
    location: at(SHIQI),
    expect: { primary: 'team-330203001', coNotified: ['utility-gas-north', 'dept-330203-emergency'], boards: [], needsConfirmation: false, rules: ['item', 'empowered', 'also-notify', 'deadline'], deadlineMin: 30 },
  },
  {
    name: 'gas leak elsewhere: the department, with 属地 town and the utility',
    alert: alert('gas.leak'),
    location: at(GULIN),
    expect: { primary: 'dept-330203-construction', coNotified: ['team-330203003', 'utility-gas-north', 'dept-330203-emergency'], boards: [], needsConfirmation: false, rules: ['item', 'not-empowered', 'also-notify', 'deadline'], deadlineMin: 30 },
  },
  {
    name: 'exactly on a town boundary: routed as located, flagged for confirmation',
    alert: alert('waste.off-corridor'),
    location: at(SHIQI, { onBoundary: true, distanceToEdgeM: 0 }),
    expect: { primary: 'team-330203001', coNotified: [], boards: [], needsConfirmation: true, rules: ['item', 'empowered', 'boundary', 'deadline'], deadlineMin: 1440 },
  },
  {
    name: 'in a gap, assigned the nearest cell: flagged',
    alert: alert('waste.off-corridor'),
    location: at(GULIN, { fallback: 'nearest', fallbackDistanceM: 35.4 }),
    expect: { primary: 'dept-330203-construction', coNotified: ['team-330203003'], boards: [], needsConfirmation: true, rules: ['item', 'not-empowered', 'nearest', 'deadline'], deadlineMin: 1440 },
  },
  {
    name: 'outside everything: the city duty desk, never dropped',
    alert: alert('waste.off-corridor'),
    location: at(null, { fallback: 'outside', fallbackDistanceM: 5210 }),
    expect: { primary: 'coord-city', coNotified: [], boards: [], needsConfirmation: true, rules: ['item', 'outside', 'no-unit', 'deadline'], deadlineMin: 1440 },
  },
  {
    name: 'in a district but no town: the district department for a delegable item, flagged',
    alert: alert('waste.off-corridor'),
    location: at(null, { district: HAISHU }),
    expect: { primary: 'dept-330203-construction', coNotified: [], boards: [], needsConfirmation: true, rules: ['item', 'not-empowered', 'outside', 'deadline'], deadlineMin: 1440 },
  },
  {
    name: 'in a district but no town: the district co-ordination office for a territorial item',
    alert: alert('parking.no-parking-pavement'),
    location: at(null, { district: HAISHU }),
    expect: { primary: 'coord-330203', coNotified: [], boards: [], needsConfirmation: true, rules: ['item', 'outside', 'no-unit', 'deadline'], deadlineMin: 120 },
  },
  {
    name: 'a review alert is routed but needs confirmation',
    alert: alert('parking.no-parking-pavement', { disposition: 'review' }),
    location: at(SHIQI),
    expect: { primary: 'team-330203001', coNotified: [], boards: [], needsConfirmation: true, rules: ['item', 'territorial', 'review', 'deadline'], deadlineMin: 120 },
  },
];

for (const c of cases)
  test(`route: ${c.name}`, () => {
    const d = route(c.alert, c.location, catalogueAt(history, c.alert.ts), units);
    assert.deepEqual(
      {
        primary: d.primaryUnit.id,
        coNotified: d.coNotified.map((u) => u.id),
        boards: d.boards.map((u) => u.id),
        needsConfirmation: d.needsConfirmation,
        rules: d.reasons.map((r) => r.rule),
        deadlineMin: (d.deadline - c.alert.ts) / 60_000,
      },
      c.expect,
    );
  });

test('route: the catalogue version changes exactly at local midnight of its date', () => {
  const routeAt = (ts: number, type: Alert['type']) => {
    const d = route(alert(type, { ts }), at(SHIQI), catalogueAt(history, ts), units);
    return [d.catalogueVersion, d.primaryUnit.id, d.reasons[1]?.zh];
  };
  assert.deepEqual(routeAt(MARCH_1 - 1, 'waste.off-corridor'), [6, 'dept-330203-construction', '石碶街道未获赋权事项 住建-渣土-03（清单 v6），由海曙区construction办理，石碶街道作为属地协同']);
  assert.deepEqual(routeAt(MARCH_1, 'waste.off-corridor'), [7, 'team-330203001', '事项 住建-渣土-03 自 2024-03-01 起赋权石碶街道（清单 v7），由石碶街道综合行政执法队办理']);
  // 住建-渣土-01 goes the other way: taken back from the town by v7.
  assert.deepEqual(routeAt(MARCH_1 - 1, 'waste.dumping-outside-site'), [6, 'team-330203001', '事项 住建-渣土-01 自 2023-06-01 起赋权石碶街道（清单 v6），由石碶街道综合行政执法队办理']);
  assert.deepEqual(routeAt(MARCH_1, 'waste.dumping-outside-site')[1], 'dept-330203-construction');
});

test('route: reasons are full sentences in Chinese and English', () => {
  const d = route(alert('gas.leak'), at(SHIQI), catalogueAt(history, T), units);
  assert.deepEqual(d.reasons, [
    {
      rule: 'item',
      zh: '告警「燃气泄漏报警」(gas.leak) 对应事项 住建-燃气-01「燃气泄漏报警处置」（清单 v7，2024-03-01 起施行）',
      en: 'Alert "gas leak alarm" (gas.leak) is item 住建-燃气-01 "Gas leak alarm" (catalogue v7, in force since 2024-03-01)',
    },
    {
      rule: 'empowered',
      zh: '事项 住建-燃气-01 自 2023-06-01 起赋权石碶街道（清单 v6），由石碶街道综合行政执法队办理',
      en: 'Item 住建-燃气-01 is empowered to 石碶街道 since 2023-06-01 (catalogue v6): 石碶街道 team handles it',
    },
    { rule: 'also-notify', zh: '事项 住建-燃气-01 同时通知：北片燃气、海曙区emergency', en: 'Item 住建-燃气-01 also notifies: North Gas, Haishu emergency' },
    { rule: 'deadline', zh: '处置时限 30 分钟，截止 2024-05-06 10:30', en: 'Deadline 30 min: 2024-05-06 10:30 (UTC+8)' },
  ]);
  assert.equal(d.deadline, T + 30 * 60_000);
});

test('route: an alert before the first catalogue version goes to the co-ordination office', () => {
  const ts = Date.parse('2023-01-01T00:00:00+08:00');
  const d = route(alert('waste.off-corridor', { ts }), at(SHIQI), catalogueAt(history, ts), units);
  assert.deepEqual(
    [d.item, d.catalogueVersion, d.primaryUnit.id, d.needsConfirmation, d.reasons.map((r) => r.rule), d.deadline - ts, d.windowMin],
    [null, null, 'coord-330203', true, ['unmapped', 'deadline'], 1440 * 60_000, 60],
  );
});

test('route: an empowered town whose team is retired → the co-ordination office, with a true reason and nobody co-notified', () => {
  const retired = indexUnits([...units.byId.values()].filter((u) => u.id !== 'team-330203001' && u.id !== 'team-330203003'));
  const d = route(alert('waste.off-corridor'), at(SHIQI), catalogueAt(history, T), retired);
  assert.deepEqual(
    [d.primaryUnit.id, d.coNotified.map((u) => u.id), d.needsConfirmation, d.reasons.map((r) => r.rule)],
    ['coord-330203', [], true, ['item', 'empowered', 'no-unit', 'deadline']],
  );
  assert.equal(d.reasons[1]!.en, 'Item 住建-渣土-03 is empowered to 石碶街道 since 2024-03-01 (catalogue v7), but the town has no enforcement team in service');
  assert.ok(!d.reasons.some((r) => r.rule === 'not-empowered' || /co-notified/.test(r.en)), 'no reason says the town is not empowered or co-notified');

  // Not empowered and without a team: the department, and no claim of a territorial co-ordinator.
  const g = route(alert('waste.off-corridor'), at(GULIN), catalogueAt(history, T), retired);
  assert.deepEqual([g.primaryUnit.id, g.coNotified.map((u) => u.id)], ['dept-330203-construction', []]);
  assert.equal(g.reasons[1]!.zh, '古林镇未获赋权事项 住建-渣土-03（清单 v7），由海曙区construction办理（该镇街无在岗执法队，无属地协同）');
});
