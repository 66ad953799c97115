/** The soak's report section says where every message went and whether the p99 bar held, window by window. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soakSection, thirds, type SoakFigures } from '../../bench/soak-report.js';
import type { RunSummary } from '../../simulators/run-fleet.js';

const summary = {
  transport: 'mqtt',
  seconds: 60.2,
  sent: 120_004,
  accepted: 0, // over MQTT the simulator cannot know an outcome
  duplicate: 0,
  unaccounted: 0,
  rate: 1_993,
  chaos: { duplicate: 4_000, malformed: 6_004 },
  matchesExpected: true,
  service: { accepted: 110_000, duplicate: 4_000, deadLetters: { GW_INGEST_SCHEMA: 2_000, GW_INGEST_BAD_JSON: 4_004 } },
} as unknown as RunSummary;

const figures = (over: Partial<SoakFigures> = {}): SoakFigures => ({
  seconds: 60,
  rate: 2000,
  database: 'real PostGIS',
  startedAt: '2026-12-03T07:00:00.000Z',
  chart: 'soak.svg',
  remark: 'Measured on a quiet machine.',
  windowS: 10,
  summary,
  heapMb: [60, 90, 70, 80, 65, 85],
  poolWaitMs: [0.1, 0.3],
  pending: [0, 10, 20, 0, 5, 1],
  oldestPendingS: [0, 0.2, 0.1, 0, 0.1, 0],
  windows: [
    { t: 10, p99Ms: 140, answered: 50, lost: 0 },
    { t: 20, p99Ms: 300, answered: 50, lost: 0 },
    { t: 30, p99Ms: Number.NaN, answered: 0, lost: 2 },
  ],
  probes: 102,
  lost: 2,
  problems: [],
  ...over,
});

test('thirds are the means of the first, middle and last third', () => {
  assert.deepEqual(thirds([1, 1, 2, 2, 3, 3]), [1, 2, 3]);
});

test('the section accounts for every message and names the windows over the bar', () => {
  const md = soakSection(figures());
  assert.match(md, /120,004 in 60\.2 s/);
  assert.match(md, /the service counted accepted 110,000, duplicates 4,000, dead letters by code: `GW_INGEST_BAD_JSON` 4,004, `GW_INGEST_SCHEMA` 2,000/);
  assert.match(md, /Chart: \[soak\.svg\]\(soak\.svg\)/);
  assert.match(md, /\*\*0 unaccounted\*\*/);
  assert.match(md, /140–300 ms, mean 220 ms \(100 probes answered, 2 lost\)/);
  assert.match(md, /\*\*missed in 1 of 2 windows\*\*/);
  assert.match(md, /none logged by the service or the simulator/);
});

test('a soak with problems and every window under the bar says so', () => {
  const md = soakSection(figures({ problems: ['3 message(s) not accounted for'], windows: [{ t: 10, p99Ms: 120, answered: 9, lost: 0 }] }));
  assert.match(md, /\| errors \| 3 message\(s\) not accounted for \|/);
  assert.match(md, /met in every window/);
});
