import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogueAt, compileCatalogue } from '../../server/catalogue/catalogue-at.js';
import { catalogueVersionsSchema } from '../../server/catalogue/model.js';
import { demoItems } from '../../server/catalogue/demo/index.js';

const items = demoItems();
const note = { zh: '调整', en: 'revision' };
const history = compileCatalogue(
  catalogueVersionsSchema.parse([
    { version: 1, effectiveFrom: '2023-01-01', note, items, grants: [{ townCode: 'T1', itemCodes: ['住建-渣土-01', '城管-环卫-01'] }] },
    { version: 2, effectiveFrom: '2024-03-01', note, grants: [{ townCode: 'T2', itemCodes: ['住建-渣土-01'] }], revocations: [{ townCode: 'T1', itemCodes: ['城管-环卫-01'] }] },
    { version: 3, effectiveFrom: '2024-09-01', note, withdrawn: ['住建-渣土-01'] },
  ]),
);
const local = (iso: string) => Date.parse(`${iso}+08:00`);

test('catalogueAt: the version in force switches exactly at local midnight', () => {
  const cases: [string, number | null][] = [
    ['2022-12-31T23:59:59.999', null],
    ['2023-01-01T00:00:00.000', 1],
    ['2024-02-29T23:59:59.999', 1],
    ['2024-03-01T00:00:00.000', 2],
    ['2024-09-01T00:00:00.000', 3],
    ['2030-01-01T00:00:00.000', 3],
  ];
  for (const [at, version] of cases) assert.equal(catalogueAt(history, local(at))?.version ?? null, version, at);
});

test('compileCatalogue: grants keep their original date, revocations and withdrawals remove them', () => {
  const empowerment = history.map((s) => s.empowerment);
  assert.deepEqual(empowerment, [
    { T1: { '住建-渣土-01': { since: '2023-01-01', version: 1 }, '城管-环卫-01': { since: '2023-01-01', version: 1 } } },
    { T1: { '住建-渣土-01': { since: '2023-01-01', version: 1 } }, T2: { '住建-渣土-01': { since: '2024-03-01', version: 2 } } },
    { T1: {}, T2: {} },
  ]);
  assert.deepEqual(
    history.map((s) => [Object.keys(s.items).length, s.itemByAlertType['waste.dumping-outside-site'] ?? null]),
    [[35, '住建-渣土-01'], [35, '住建-渣土-01'], [34, null]],
  );
});

test('compileCatalogue: earlier snapshots are not changed by later versions', () => {
  assert.deepEqual(Object.keys(history[0]!.empowerment.T1!).sort(), ['住建-渣土-01', '城管-环卫-01']);
  assert.equal(history[0]!.items['住建-渣土-01']?.code, '住建-渣土-01');
});
