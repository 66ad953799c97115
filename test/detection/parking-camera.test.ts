import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cam, context, noParking, play, type Raised, type Step } from './fixtures.js';

const PAVEMENT = noParking('NP-01', 'pavement');
const ROAD = noParking('NP-01', 'road');
const hit = (step: number, disposition: Raised['disposition'] = 'clue', type: Raised['type'] = 'parking.no-parking-pavement', assetKey = '浙B12345@NP-01'): Raised => ({
  step,
  type,
  severity: 'low',
  disposition,
  assetKey,
});
const seen = (zones = [PAVEMENT]) => (event: ReturnType<typeof cam>): Step => ({ event, zones });

const cases: { name: string; steps: Step[]; restartAt?: number; device?: Parameters<typeof context>[0]; expect: Raised[] }[] = [
  {
    name: 'over the 10-minute limit: one alert per stay, not one per frame',
    steps: [cam(1, 0, 'enter', 0.9), cam(2, 300, 'present', 0.9), cam(3, 600, 'present', 0.9), cam(4, 660, 'present', 0.9), cam(5, 900, 'present', 0.9)].map(seen()),
    expect: [hit(2)],
  },
  {
    name: 'leaving before the limit raises nothing',
    steps: [cam(1, 0, 'enter', 0.9), cam(2, 300, 'present', 0.9), cam(3, 590, 'leave', 0.9), cam(4, 700, 'enter', 0.9)].map(seen()),
    expect: [],
  },
  {
    name: 're-entry is a new stay with its own alert',
    steps: [cam(1, 0, 'enter', 0.9), cam(2, 600, 'present', 0.9), cam(3, 700, 'leave', 0.9), cam(4, 800, 'enter', 0.9), cam(5, 1400, 'present', 0.9)].map(seen()),
    expect: [hit(1), hit(4)],
  },
  {
    name: 'low-confidence reads give a review alert; a confident read later gives the clue',
    steps: [cam(1, 0, 'enter', 0.4), cam(2, 600, 'present', 0.5), cam(3, 650, 'present', 0.55), cam(4, 700, 'present', 0.9), cam(5, 800, 'present', 0.95)].map(seen()),
    expect: [hit(1, 'review'), hit(3, 'clue')],
  },
  {
    name: 'a road zone goes out as road parking',
    steps: [cam(1, 0, 'enter', 0.9), cam(2, 601, 'present', 0.9)].map(seen([ROAD])),
    expect: [hit(1, 'clue', 'parking.no-parking-road')],
  },
  {
    name: 'restart mid-stay keeps the stay',
    steps: [cam(1, 0, 'enter', 0.9), cam(2, 300, 'present', 0.9), cam(3, 600, 'present', 0.9)].map(seen()),
    restartAt: 2,
    expect: [hit(2)],
  },
  {
    name: 'a stay with no sighting for 15 minutes is over; the next sighting starts a new one',
    steps: [cam(1, 0, 'enter', 0.9), cam(2, 2000, 'present', 0.9), cam(3, 2500, 'present', 0.9), cam(4, 2600, 'present', 0.9)].map(seen()),
    expect: [hit(3)],
  },
  {
    name: 'two plates in one zone are two stays',
    steps: [
      cam(1, 0, 'enter', 0.9),
      cam(2, 100, 'enter', 0.9, { plate: '浙B99999' }),
      cam(3, 600, 'present', 0.9),
      cam(4, 700, 'present', 0.9, { plate: '浙B99999' }),
    ].map(seen()),
    expect: [hit(2), hit(3, 'clue', 'parking.no-parking-pavement', '浙B99999@NP-01')],
  },
  {
    name: 'a camera outside its zone polygon uses the zones in its registration',
    steps: [cam(1, 0, 'enter', 0.9), cam(2, 600, 'present', 0.9)].map(seen([])),
    device: { noParkingZones: [PAVEMENT] },
    expect: [hit(1)],
  },
];

for (const c of cases)
  test(`parking-camera: ${c.name}`, () => {
    assert.deepEqual(play(c.steps, context(c.device), c.restartAt).raised, c.expect);
  });

test('parking-camera: the evidence is the highest-confidence image of the stay', () => {
  const img = (name: string) => ({ image: { url: `https://img.example/${name}.jpg` } });
  const { alerts } = play(
    [cam(1, 0, 'enter', 0.7, img('a')), cam(2, 300, 'present', 0.95, img('b')), cam(3, 610, 'present', 0.8, img('c'))].map(seen()),
    context(),
  );
  assert.deepEqual(
    alerts.map((a) => [a.evidence, a.details, a.asset, a.summary]),
    [
      [
        { eventIds: ['e1', 'e2', 'e3'], image: { url: 'https://img.example/b.jpg' } },
        { plate: '浙B12345', zoneCode: 'NP-01', dwellS: 610, dwellLimitS: 600, confidence: 0.95, bestEventId: 'e2' },
        { type: 'no-parking', code: 'NP-01', roadKind: 'pavement' },
        {
          zh: '浙B12345 在禁停区 NP-01（人行道禁停区）停留 10 分钟，超过 10 分钟限制',
          en: '浙B12345 has stayed 10 min in no-parking zone 禁停区 NP-01 (pavement), over the 10 min limit',
        },
      ],
    ],
  );
});
