import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoCatalogue, demoEmpowerment, type DemoTown } from '../../server/catalogue/demo/index.js';
import { compileCatalogue, catalogueAt } from '../../server/catalogue/catalogue-at.js';
import { DOMAINS } from '../../server/catalogue/model.js';
import { DEMO_SEED } from '../../geo/demo/generate.js';
import { DISTRICT_PLANS } from '../../geo/demo/plan.js';

/** The demo city's 156 towns in Ningbo's 10 districts, numbered as the geo demo numbers them. */
const towns: DemoTown[] = DISTRICT_PLANS.flatMap((plan) =>
  Array.from({ length: plan.towns }, (_, t) => ({ code: `${plan.code}${String(t + 1).padStart(3, '0')}`, name: `镇${t + 1}`, districtCode: plan.code })),
);

test('demoEmpowerment: 86 of 156 towns empowered, deterministic for a seed, whatever the input order', () => {
  assert.equal(towns.length, 156);
  const a = demoEmpowerment(towns, DEMO_SEED);
  assert.equal(a.empoweredTownCodes.length, 86);
  assert.deepEqual(demoEmpowerment([...towns].reverse(), DEMO_SEED), a);
  const other = demoEmpowerment(towns, 8).empoweredTownCodes;
  assert.equal(other.length, 86);
  assert.notDeepEqual(other, a.empoweredTownCodes);
});

test('demoEmpowerment: 55 % per district, one team per town, every department and office, utilities, custodians, 1+X hubs', () => {
  const { units, empoweredTownCodes } = demoEmpowerment(towns, DEMO_SEED);
  const count = (kind: string) => units.filter((u) => u.kind === kind).length;
  assert.deepEqual(
    ['town-team', 'district-department', 'coordination-office', 'utility', 'custodian'].map(count),
    [156, 80, 11, 2, 2],
  );
  const hubs = units.flatMap((u) => (u.kind === 'hub' ? [u] : []));
  assert.deepEqual(
    hubs.map((h) => [h.districtCode, h.linkedTownCodes.length]),
    DISTRICT_PLANS.map((p) => [p.code, p.code === '330211' ? 3 : 4]),
  );
  assert.deepEqual(
    DISTRICT_PLANS.map((p) => empoweredTownCodes.filter((c) => c.startsWith(p.code)).length),
    [9, 4, 6, 3, 14, 7, 10, 10, 12, 11],
  );
  const districtOf = new Map(towns.map((t) => [t.code, t.districtCode]));
  for (const h of hubs) {
    assert.equal(empoweredTownCodes.includes(h.townCode), true, `hub ${h.id} is an empowered town`);
    for (const linked of h.linkedTownCodes) {
      assert.equal(empoweredTownCodes.includes(linked), false, `${linked} linked to ${h.id} is not empowered`);
      assert.equal(districtOf.get(linked), h.districtCode);
    }
  }
  const utilities = units.flatMap((u) => (u.kind === 'utility' ? u.districtCodes : []));
  assert.deepEqual(utilities.sort(), [...new Set(towns.map((t) => t.districtCode))].sort());
});

test('demoCatalogue: ≥ 30 items over the four kinds and more domains, two versions like a real revision', () => {
  const data = demoCatalogue(towns, DEMO_SEED);
  const history = compileCatalogue(data.versions);
  const v2 = catalogueAt(history, Date.parse('2024-03-01T00:00:00+08:00'))!;
  assert.deepEqual([Object.keys(history[0]!.items).length, Object.keys(v2.items).length], [34, 35]);
  assert.deepEqual([...new Set(Object.values(v2.items).map((i) => i.domain))].sort(), [...DOMAINS].sort());
  assert.deepEqual(
    data.versions.map((v) => [v.version, v.effectiveFrom, v.grants.length, v.revocations.length]),
    [[1, '2023-01-01', 86, 0], [2, '2024-03-01', 86, 86]],
  );
  const town = data.versions[0]!.grants[0]!.townCode;
  const v1 = history[0]!;
  assert.deepEqual(
    ['住建-渣土-01', '住建-渣土-03', '市监-食品-01', '交警-停车-01'].map((code) => [!!v1.empowerment[town]?.[code], !!v2.empowerment[town]?.[code]]),
    [[true, true], [false, true], [true, false], [false, false]],
  );
  const unempowered = towns.find((t) => !data.versions[0]!.grants.some((g) => g.townCode === t.code))!;
  assert.deepEqual(v2.empowerment[unempowered.code], undefined);
});
