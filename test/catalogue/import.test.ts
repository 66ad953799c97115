import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv, writeCsv } from '../../core/csv.js';
import { formatItemsCsv, parseCatalogueJson, parseEmpowermentCsv, parseItemsCsv } from '../../server/catalogue/import.js';
import { demoItems } from '../../server/catalogue/demo/index.js';

test('readCsv (csv-parse): quotes, escaped quotes, commas and newlines in fields, CRLF, BOM, blank lines', () => {
  const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\r\n1,,3\n"",last,\n';
  assert.deepEqual(readCsv(text), [
    ['a', 'b', 'c'],
    ['x, y', 'say "hi"', 'two\nlines'],
    ['1', '', '3'],
    ['', 'last', ''],
  ]);
  assert.deepEqual(readCsv('no,final,newline'), [['no', 'final', 'newline']]);
  assert.throws(() => readCsv('a,"open\n'), /Quote Not Closed/i);
});

test('writeCsv: readCsv reads back exactly what it wrote', () => {
  const rows = [['plain', 'with,comma', 'with "quote"'], ['multi\r\nline', ' padded ', '']];
  assert.equal(writeCsv(rows), 'plain,"with,comma","with ""quote"""\r\n"multi\r\nline"," padded ",\r\n');
  assert.deepEqual(readCsv(writeCsv(rows)), rows);
});

test('items CSV: the demo items round-trip through export and import', () => {
  const items = demoItems();
  assert.equal(items.length, 35);
  assert.deepEqual(parseItemsCsv(formatItemsCsv(items)), { ok: true, value: items });
});

test('items CSV: every bad field is reported with its line', () => {
  const header = 'code,name_zh,name_en,domain,legal_basis,department,assignment,deadline_min,urgency,alert_types,window_min,also_notify';
  const text = [
    header,
    '住建-渣土-01,倾倒,Dumping,construction-waste,条例,construction,delegable,120,urgent,waste.dumping-outside-site,,',
    'bad code,名,Name,construction-waste,条例,construction,sometimes,soon,urgent,waste.nope,,',
  ].join('\n');
  assert.deepEqual(parseItemsCsv(text), {
    ok: false,
    problems: [
      'line 3: code: item code like 住建-渣土-03',
      'line 3: assignment: Invalid option: expected one of "delegable"|"department"|"territorial"|"custodian"',
      'line 3: deadlineMin: Invalid input: expected number, received NaN',
      'line 3: alertTypes.0: Invalid option: expected one of ' +
        '"waste.dumping-outside-site"|"waste.uncovered-load"|"waste.off-corridor"|"waste.outside-hours"|"waste.restricted-zone"|"gas.leak"|"gas.device-offline"|"gas.tamper"|"bridge.structural-alarm"|"parking.no-parking-road"|"parking.no-parking-pavement"',
    ],
  });
  assert.deepEqual(parseItemsCsv('code,name_zh,colour\n'), {
    ok: false,
    problems: [
      'header: missing column name_en',
      'header: missing column domain',
      'header: missing column legal_basis',
      'header: missing column department',
      'header: missing column assignment',
      'header: missing column deadline_min',
      'header: missing column urgency',
      'header: missing column alert_types',
      'header: missing column window_min',
      'header: missing column also_notify',
      'header: unknown column colour',
    ],
  });
});

test('empowerment CSV: rows grouped by town into grants and revocations', () => {
  const text = 'town_code,item_code,action\n330203001,住建-渣土-03,grant\n330203001,城管-停车-02,grant\n330203002,市监-食品-01,revoke\n';
  assert.deepEqual(parseEmpowermentCsv(text), {
    ok: true,
    value: {
      grants: [{ townCode: '330203001', itemCodes: ['住建-渣土-03', '城管-停车-02'] }],
      revocations: [{ townCode: '330203002', itemCodes: ['市监-食品-01'] }],
    },
  });
  assert.deepEqual(parseEmpowermentCsv('town_code,item_code,action\n330203001,住建-渣土-03,give\n'), {
    ok: false,
    problems: ['line 2: action: Invalid option: expected one of "grant"|"revoke"'],
  });
});

const ITEM = {
  code: '住建-渣土-01',
  name: { zh: '倾倒建筑垃圾', en: 'Dumping' },
  domain: 'construction-waste',
  legalBasis: '《城市建筑垃圾管理规定》第二十六条',
  department: 'construction',
  assignment: 'delegable',
  deadlineMin: 120,
  urgency: 'urgent',
  alertTypes: ['waste.dumping-outside-site'],
};
const CITY_OFFICE = { kind: 'coordination-office', id: 'coord-city', districtCode: null, name: { zh: '市协调办', en: 'City office' } };

test('catalogue JSON: a valid import gets its defaults filled in', () => {
  const text = JSON.stringify({
    versions: [{ version: 1, effectiveFrom: '2024-01-01', note: { zh: '首版', en: 'first' }, items: [ITEM], grants: [{ townCode: 'T1', itemCodes: ['住建-渣土-01'] }] }],
    units: [CITY_OFFICE],
  });
  const parsed = parseCatalogueJson(text);
  assert.equal(parsed.ok, true);
  if (!parsed.ok) return;
  assert.deepEqual(parsed.value.versions[0]?.items[0], { ...ITEM, windowMin: 60, alsoNotify: [], closeAtSource: false });
  assert.deepEqual([parsed.value.versions[0]?.withdrawn, parsed.value.versions[0]?.revocations], [[], []]);
});

test('catalogue JSON: history-wide rules are checked', () => {
  const version = (n: number, date: string, rest: object) => ({ version: n, effectiveFrom: date, note: { zh: '改', en: 'change' }, ...rest });
  const notJson = parseCatalogueJson('{');
  assert.equal(notJson.ok, false);
  assert.match(notJson.ok ? '' : notJson.problems.join(), /^not JSON: /);
  const cases: [string, object, string[]][] = [
    [
      'versions out of order, unknown and non-delegable grants',
      {
        versions: [
          version(2, '2024-01-01', { items: [ITEM, { ...ITEM, code: '交警-停车-01', assignment: 'department', alertTypes: [] }] }),
          version(1, '2024-06-01', { grants: [{ townCode: 'T1', itemCodes: ['交警-停车-01', '住建-渣土-09'] }] }),
        ],
        units: [CITY_OFFICE],
      },
      [
        'versions.1.version: version 1 must follow version 2 in number and date',
        'versions.1.grants.0: item 交警-停车-01 is not delegable (department)',
        'versions.1.grants.0: unknown item 住建-渣土-09 in version 1',
      ],
    ],
    [
      'one alert type on two items, no city office, duplicate unit',
      {
        versions: [version(1, '2024-01-01', { items: [ITEM, { ...ITEM, code: '住建-渣土-02' }] })],
        units: [{ ...CITY_OFFICE, districtCode: '330203' }, { ...CITY_OFFICE, districtCode: '330203' }],
      },
      [
        'versions.0.items: alert type waste.dumping-outside-site maps to both 住建-渣土-01 and 住建-渣土-02',
        'units.1.id: duplicate unit id coord-city',
        'units: a city-level coordination-office (districtCode null) is required: it receives what no district can',
      ],
    ],
  ];
  for (const [name, input, problems] of cases)
    assert.deepEqual(parseCatalogueJson(JSON.stringify(input)), { ok: false, problems }, name);
});
