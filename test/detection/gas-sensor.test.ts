import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, context, gas, located, play, truck, type Raised, type Step } from './fixtures.js';
import { checkGasSilence, initialGasSensorState } from '../../server/detection/gas-sensor.detector.js';
import { checkSilence, detect } from '../../server/detection/detect.js';

const leak = (step: number, severity: Raised['severity']): Raised => ({ step, type: 'gas.leak', severity, disposition: 'clue', assetKey: 'gas-1' });
const readings = (...lel: number[]): Step[] => lel.map((v, i) => ({ event: gas(i + 1, i * 30, v) }));

const cases: { name: string; steps: Step[]; restartAt?: number; expect: Raised[] }[] = [
  {
    name: 'rising leak: low (10) → high (25) → critical (50) upgrades the same alert type',
    steps: readings(5, 12, 18, 30, 55, 60),
    expect: [leak(1, 'medium'), leak(3, 'high'), leak(4, 'critical')],
  },
  {
    name: 'jitter around the low threshold: one alert until it drops 2 %LEL below, then a new one',
    steps: readings(9, 10.5, 9.5, 10.2, 8.5, 10.1, 7.9, 11),
    expect: [leak(1, 'medium'), leak(7, 'medium')],
  },
  {
    name: 'straight to high, dips to low and back: no duplicate',
    steps: readings(30, 20, 27, 12),
    expect: [leak(0, 'high')],
  },
  {
    name: 'spike: one reading over the low threshold is an alarm (a leak is urgent)',
    steps: readings(2, 14, 2),
    expect: [leak(1, 'medium')],
  },
  {
    name: 'restart between low and high: the high alarm follows, the low one is not repeated',
    steps: readings(12, 15, 26, 27),
    restartAt: 2,
    expect: [leak(0, 'medium'), leak(2, 'high')],
  },
  {
    name: 'tamper: one alert per tamper episode',
    steps: [
      { event: gas(1, 0, 0) },
      { event: gas(2, 30, 0, { tamper: true }) },
      { event: gas(3, 60, 0, { tamper: true }) },
      { event: gas(4, 90, 0) },
      { event: gas(5, 120, 0, { tamper: true }) },
    ],
    expect: [
      { step: 1, type: 'gas.tamper', severity: 'high', disposition: 'clue', assetKey: 'gas-1' },
      { step: 4, type: 'gas.tamper', severity: 'high', disposition: 'clue', assetKey: 'gas-1' },
    ],
  },
];

for (const c of cases)
  test(`gas-sensor: ${c.name}`, () => {
    assert.deepEqual(play(c.steps, context(), c.restartAt).raised, c.expect);
  });

test('gas-sensor: thresholds are configurable', () => {
  const ctx = context();
  const strict = { ...ctx, config: { ...ctx.config, gas: { ...ctx.config.gas, lowLelPct: 5, highLelPct: 15 } } };
  assert.deepEqual(play(readings(6, 16), strict).raised, [leak(0, 'medium'), leak(1, 'high')]);
});

test('gas-sensor: the leak alert carries the reading and the episode peak', () => {
  const { alerts } = play(readings(12, 30), context());
  assert.deepEqual(
    alerts.map((a) => [a.details, a.evidence, a.summary.zh]),
    [
      [{ level: 'low', lelPct: 12, peakLelPct: 12, coPpm: null }, { eventIds: ['e1'] }, '燃气报警器 gas-1 低限报警：12 %LEL'],
      [{ level: 'high', lelPct: 30, peakLelPct: 30, coPpm: null }, { eventIds: ['e1', 'e2'] }, '燃气报警器 gas-1 高限报警：30 %LEL'],
    ],
  );
});

test('gas-sensor: silence past 2 reporting intervals raises one offline alert; a report re-arms it', () => {
  const ctx = context({ reportingIntervalS: 60 });
  let state = detect(undefined, gas(1, 0, 1), located(), ctx).state;
  assert.equal(state.kind, 'gas-sensor');
  if (state.kind !== 'gas-sensor') return;
  const timeline: [number, number][] = [];
  const tick = (atS: number) => {
    if (state.kind !== 'gas-sensor') return;
    const out = checkGasSilence(state, T0 + atS * 1000, ctx);
    state = out.state;
    timeline.push([atS, out.alerts.length]);
    return out.alerts;
  };
  tick(120);
  const [offline] = tick(121) ?? [];
  tick(300);
  state = detect(state, gas(2, 310, 1), located(), ctx).state;
  tick(400);
  tick(431);
  assert.deepEqual(timeline, [[120, 0], [121, 1], [300, 0], [400, 0], [431, 1]]);
  assert.deepEqual(offline, {
    type: 'gas.device-offline',
    severity: 'medium',
    disposition: 'clue',
    deviceKind: 'gas-sensor',
    deviceId: 'gas-1',
    ts: T0 + 121_000,
    position: { lon: 121.55, lat: 29.87 },
    assetKey: 'gas-1',
    evidence: { eventIds: ['e1'] },
    details: { silentS: 121, reportingIntervalS: 60, lastSeenTs: T0 },
    summary: { zh: '燃气报警器 gas-1 离线：121 秒未上报（上报周期 60 秒）', en: 'Gas sensor gas-1 is offline: silent for 121 s (reports every 60 s)' },
  });
});

test('gas-sensor: a sensor never heard from is not reported offline', () => {
  const out = checkGasSilence(initialGasSensorState('gas-9'), T0, context());
  assert.deepEqual(out.alerts, []);
});

test('checkSilence: dispatches gas states to checkGasSilence and leaves other kinds alone', () => {
  const ctx = context({ reportingIntervalS: 60 });
  const gasState = detect(undefined, gas(1, 0, 1), located(), ctx).state;
  const truckState = detect(undefined, truck(1, 0), located(), ctx).state;
  const later = T0 + 3_600_000;
  assert.deepEqual(
    [checkSilence(gasState, later, ctx).alerts.map((a) => a.type), checkSilence(truckState, later, ctx)],
    [['gas.device-offline'], { state: truckState, alerts: [] }],
  );
});
