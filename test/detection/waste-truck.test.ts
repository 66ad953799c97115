import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORRIDOR, T0, context, play, restricted, site, truck, type Raised, type Step } from './fixtures.js';
import type { WasteTruckEvent } from '../../ingest/device-event.js';

const OPEN_SITE = site('DS-01', true);
const raised = (at: number, i: number, over: Partial<WasteTruckEvent> = {}) => truck(i, at, { body: 'raised', speedKmh: 0, ...over });
/** A fix `northM` metres north of the corridor fixture point. */
const north = (northM: number) => ({ position: { lon: 121.55, lat: 29.87 + northM / 111_195, accuracyM: 5 } });
const alert = (step: number, type: Raised['type'], severity: Raised['severity'], assetKey = 'truck-1'): Raised => ({
  step,
  type,
  severity,
  disposition: 'clue',
  assetKey,
});

const cases: { name: string; steps: Step[]; device?: Parameters<typeof context>[0]; restartAt?: number; expect: Raised[] }[] = [
  {
    name: 'dumping outside any site: raised once after 2 fixes and 20 s',
    steps: [raised(0, 1), raised(10, 2), raised(20, 3), raised(30, 4)].map((event) => ({ event })),
    expect: [alert(2, 'waste.dumping-outside-site', 'high')],
  },
  {
    name: 'dumping inside a licensed, open site raises nothing',
    steps: [raised(0, 1), raised(10, 2), raised(20, 3), raised(30, 4)].map((event) => ({ event, zones: [OPEN_SITE] })),
    expect: [],
  },
  {
    name: 'dumping in an unlicensed site is outside a licensed one',
    steps: [raised(0, 1), raised(10, 2), raised(20, 3)].map((event) => ({ event, zones: [site('DS-02', false)] })),
    expect: [alert(2, 'waste.dumping-outside-site', 'high')],
  },
  {
    name: 'dumping in a licensed site after closing time (19:00) is outside an open one',
    steps: [raised(9 * 3600, 1), raised(9 * 3600 + 10, 2), raised(9 * 3600 + 20, 3)].map((event) => ({ event, zones: [OPEN_SITE] })),
    expect: [alert(2, 'waste.dumping-outside-site', 'high')],
  },
  {
    name: 'jitter: one fix drifting outside the site, and an inaccurate fix, raise nothing',
    steps: [
      { event: raised(0, 1), zones: [OPEN_SITE] },
      { event: raised(10, 2) },
      { event: raised(20, 3), zones: [OPEN_SITE] },
      { event: raised(30, 4, { position: { lon: 121.56, lat: 29.88, accuracyM: 80 } }) },
      { event: raised(40, 5, { position: { lon: 121.56, lat: 29.88, accuracyM: 80 } }) },
      { event: raised(50, 6), zones: [OPEN_SITE] },
      { event: raised(60, 7) },
      { event: raised(70, 8), zones: [OPEN_SITE] },
    ],
    expect: [],
  },
  {
    name: 're-entry resets the dwell: back in the site at 15 s restarts the 20 s count',
    steps: [
      { event: raised(0, 1) },
      { event: raised(10, 2) },
      { event: raised(15, 3), zones: [OPEN_SITE] },
      { event: raised(20, 4) },
      { event: raised(30, 5) },
      { event: raised(40, 6) },
    ],
    expect: [alert(5, 'waste.dumping-outside-site', 'high')],
  },
  {
    name: 'restart mid-dwell: state through JSON keeps the count',
    steps: [raised(0, 1), raised(10, 2), raised(20, 3)].map((event) => ({ event })),
    restartAt: 2,
    expect: [alert(2, 'waste.dumping-outside-site', 'high')],
  },
  {
    name: 'hysteresis: one lowered fix does not clear a raised condition; two do, and it can raise again',
    steps: [
      raised(0, 1), raised(10, 2), raised(20, 3),
      truck(4, 30, { speedKmh: 0 }), raised(40, 5),
      truck(6, 50, { speedKmh: 0 }), truck(7, 60, { speedKmh: 0 }),
      raised(70, 8), raised(80, 9), raised(90, 10),
    ].map((event) => ({ event })),
    expect: [alert(2, 'waste.dumping-outside-site', 'high'), alert(9, 'waste.dumping-outside-site', 'high')],
  },
  {
    name: 'replayed and late events are not applied twice',
    steps: [raised(0, 1), raised(10, 2), raised(10, 2), raised(5, 9), raised(15, 3), raised(20, 4)].map((event) => ({ event })),
    expect: [alert(5, 'waste.dumping-outside-site', 'high')],
  },
  {
    name: 'loaded and uncovered while moving for 60 s; a stop neither counts nor resets',
    steps: [
      truck(1, 0, { covered: false }),
      truck(2, 30, { covered: false, speedKmh: 0 }),
      truck(3, 60, { covered: false }),
      truck(4, 90, { covered: false }),
    ].map((event) => ({ event })),
    expect: [alert(2, 'waste.uncovered-load', 'low')],
  },
  {
    name: 'covering the load in time raises nothing',
    steps: [truck(1, 0, { covered: false }), truck(2, 30, { covered: false }), truck(3, 60), truck(4, 90, { covered: false })].map(
      (event) => ({ event }),
    ),
    expect: [],
  },
  {
    name: 'off corridor: > 200 m from the exit point and > 120 s',
    device: { permitId: 'P-1' },
    steps: [
      { event: truck(1, 0, north(0)), zones: [CORRIDOR] },
      { event: truck(2, 30, north(100)) },
      { event: truck(3, 90, north(250)) },
      { event: truck(4, 150, north(300)) },
      { event: truck(5, 180, north(350)) },
    ],
    expect: [alert(3, 'waste.off-corridor', 'medium')],
  },
  {
    name: 'off corridor: far but brief, then back in, raises nothing',
    device: { permitId: 'P-1' },
    steps: [
      { event: truck(1, 0, north(0)), zones: [CORRIDOR] },
      { event: truck(2, 30, north(500)) },
      { event: truck(3, 90, north(600)) },
      { event: truck(4, 120, north(20)), zones: [CORRIDOR] },
      { event: truck(5, 200, north(500)) },
    ],
    expect: [],
  },
  {
    name: 'off corridor: long but close (parked just outside the buffer) raises nothing',
    device: { corridorZoneCode: 'RC-01' },
    steps: [
      { event: truck(1, 0, north(0)), zones: [CORRIDOR] },
      { event: truck(2, 60, north(80)) },
      { event: truck(3, 300, north(90)) },
      { event: truck(4, 900, north(85)) },
    ],
    expect: [],
  },
  {
    name: 'off corridor: an empty truck is not bound to the route',
    device: { permitId: 'P-1' },
    steps: [
      { event: truck(1, 0, north(0)), zones: [CORRIDOR] },
      { event: truck(2, 60, { ...north(400), loaded: false }) },
      { event: truck(3, 200, { ...north(800), loaded: false }) },
    ],
    expect: [],
  },
  {
    name: 'moving outside permitted night hours (20:00–06:00) for 120 s',
    device: { permittedHours: [{ from: '20:00', to: '06:00' }] },
    steps: [truck(1, 0), truck(2, 60), truck(3, 120)].map((event) => ({ event })),
    expect: [alert(2, 'waste.outside-hours', 'low')],
  },
  {
    name: 'moving inside permitted hours raises nothing',
    device: { permittedHours: [{ from: '06:00', to: '22:00' }] },
    steps: [truck(1, 0), truck(2, 60), truck(3, 120), truck(4, 180)].map((event) => ({ event })),
    expect: [],
  },
  {
    name: 'restricted zone while active, one alert per zone; inactive zone raises nothing',
    steps: [
      { event: truck(1, 0), zones: [restricted('RZ-01'), restricted('RZ-02', [{ from: '18:00', to: '20:00' }])] },
      { event: truck(2, 15), zones: [restricted('RZ-01'), restricted('RZ-02', [{ from: '18:00', to: '20:00' }])] },
      { event: truck(3, 30), zones: [restricted('RZ-01'), restricted('RZ-02', [{ from: '18:00', to: '20:00' }])] },
      { event: truck(4, 45), zones: [restricted('RZ-01')] },
    ],
    expect: [alert(2, 'waste.restricted-zone', 'medium', 'truck-1@RZ-01')],
  },
];

for (const c of cases)
  test(`waste-truck: ${c.name}`, () => {
    assert.deepEqual(play(c.steps, context(c.device), c.restartAt).raised, c.expect);
  });

test('waste-truck: the dumping alert carries evidence, numbers and both summaries', () => {
  const { alerts } = play([raised(0, 1), raised(10, 2), raised(20, 3)].map((event) => ({ event })), context());
  assert.deepEqual(alerts, [
    {
      deviceKind: 'waste-truck',
      deviceId: 'truck-1',
      ts: T0 + 20_000,
      position: { lon: 121.55, lat: 29.87 },
      type: 'waste.dumping-outside-site',
      severity: 'high',
      disposition: 'clue',
      assetKey: 'truck-1',
      evidence: { eventIds: ['e1', 'e2', 'e3'] },
      details: { fixes: 3, durationS: 20, speedKmh: 0 },
      summary: {
        zh: '渣土车 truck-1 在消纳场外举斗倾倒 20 秒',
        en: 'Waste truck truck-1 raised its body outside any licensed, open disposal site for 20 s',
      },
    },
  ]);
});

test('waste-truck: the off-corridor alert reports the distance from the exit point', () => {
  const { alerts } = play(
    [
      { event: truck(1, 0, north(0)), zones: [CORRIDOR] },
      { event: truck(2, 30, north(100)) },
      { event: truck(3, 150, north(250)) },
    ],
    context({ permitId: 'P-1' }),
  );
  assert.deepEqual(alerts.map((a) => a.details), [{ distanceM: 250, permitId: 'P-1', durationS: 120, speedKmh: 30 }]);
});
