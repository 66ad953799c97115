import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE, bridge, context, play, type Raised, type Step } from './fixtures.js';

const level = (step: number, severity: Raised['severity']): Raised => ({
  step,
  type: 'bridge.structural-alarm',
  severity,
  disposition: 'clue',
  assetKey: 'BR-01',
});
/** Strain readings at the given seconds, located on the bridge. */
const strain = (...pairs: [number, number][]): Step[] => pairs.map(([at, v], i) => ({ event: bridge(i + 1, at, v), zones: [BRIDGE] }));

const cases: { name: string; steps: Step[]; restartAt?: number; device?: Parameters<typeof context>[0]; expect: Raised[] }[] = [
  { name: 'a single spike over red raises nothing', steps: strain([0, 200], [30, 900], [60, 200], [90, 200]), expect: [] },
  { name: 'sustained 60 s over yellow raises yellow', steps: strain([0, 350], [30, 350], [60, 350], [90, 340]), expect: [level(2, 'medium')] },
  {
    name: 'rising through orange: yellow then orange, each once sustained',
    steps: strain([0, 350], [30, 550], [60, 550], [90, 560], [120, 540]),
    expect: [level(2, 'medium'), level(3, 'high')],
  },
  {
    name: 'a dip below yellow breaks the sustained window',
    steps: strain([0, 350], [30, 350], [40, 250], [60, 350], [90, 350], [120, 350]),
    expect: [level(5, 'medium')],
  },
  {
    name: 'hysteresis: readings just under the threshold keep the level; a sustained fall lowers it; a new rise alerts again',
    steps: strain([0, 350], [30, 350], [60, 350], [90, 280], [150, 280], [210, 280], [240, 250], [300, 250], [330, 350], [390, 350]),
    expect: [level(2, 'medium'), level(9, 'medium')],
  },
  {
    name: 'restart mid-window keeps the window',
    steps: strain([0, 350], [30, 350], [60, 350]),
    restartAt: 1,
    expect: [level(2, 'medium')],
  },
  {
    name: 'sensor off the bridge polygon: the registration names the bridge (asset, not place)',
    steps: [0, 30, 60].map((at, i) => ({ event: bridge(i + 1, at, 900, { bridgeId: null }) })),
    device: { bridge: BRIDGE },
    expect: [level(2, 'critical')],
  },
  {
    name: 'on the bridge polygon, named by neither the event nor the registration: the zone at its position is the bridge',
    steps: [0, 30, 60].map((at, i) => ({ event: bridge(i + 1, at, 900, { bridgeId: null }), zones: [BRIDGE] })),
    expect: [level(2, 'critical')],
  },
  {
    name: 'named by neither and on no bridge: nothing raised',
    steps: [0, 30, 60].map((at, i) => ({ event: bridge(i + 1, at, 900, { bridgeId: null }) })),
    expect: [],
  },
  {
    name: 'unknown bridge: no thresholds, nothing raised',
    steps: [0, 30, 60].map((at, i) => ({ event: bridge(i + 1, at, 900, { bridgeId: 'BR-99' }), zones: [BRIDGE] })),
    expect: [],
  },
];

for (const c of cases)
  test(`bridge-sensor: ${c.name}`, () => {
    assert.deepEqual(play(c.steps, context(c.device), c.restartAt).raised, c.expect);
  });

test('bridge-sensor: levels rise and fall in state exactly as the hysteresis case says', () => {
  const steps = strain([0, 350], [60, 350], [120, 280], [180, 250], [240, 250]);
  const levels = steps.map((_, n) => {
    const s = play(steps.slice(0, n + 1), context()).states.get('device:bridge-1');
    return s?.kind === 'bridge-sensor' ? s.measures.strainUe?.level : undefined;
  });
  assert.deepEqual(levels, ['none', 'yellow', 'yellow', 'yellow', 'none']);
});

test('bridge-sensor: the alert names the bridge, its custodian, the measure and threshold', () => {
  const { alerts } = play(strain([0, 850], [30, 860], [60, 870]), context());
  assert.deepEqual(
    alerts.map((a) => [a.asset, a.details, a.evidence.eventIds, a.summary.zh]),
    [
      [
        { type: 'bridge', code: 'BR-01', custodianUnitId: 'custodian-municipal' },
        { level: 'red', measure: 'strainUe', value: 870, threshold: 800, sustainS: 60 },
        ['e1', 'e2', 'e3'],
        '灵桥应变红色预警：870（阈值 800，持续 60 秒以上）',
      ],
    ],
  );
});
