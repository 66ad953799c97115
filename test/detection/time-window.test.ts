import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inTimeWindows, localDateCompact, localMidnight } from '../../server/detection/time-window.js';

const at = (local: string) => Date.parse(`${local}+08:00`);

test('inTimeWindows: local Asia/Shanghai windows, overnight wrap, weekdays', () => {
  const day = [{ from: '07:00', to: '19:00' }];
  const night = [{ from: '22:00', to: '06:00', days: [5] }]; // Friday night only
  const cases: [string, readonly { from: string; to: string; days?: number[] }[], string, boolean][] = [
    ['start is inside', day, '2024-03-01T07:00:00', true],
    ['end is outside', day, '2024-03-01T19:00:00', false],
    ['07:30 local (23:30 UTC the day before)', day, '2024-03-01T07:30:00', true],
    ['before opening', day, '2024-03-01T06:59:59', false],
    ['Friday 23:00 (2024-03-01 is a Friday)', night, '2024-03-01T23:00:00', true],
    ['Saturday 02:00 belongs to Friday night', night, '2024-03-02T02:00:00', true],
    ['Saturday 23:00 is not Friday night', night, '2024-03-02T23:00:00', false],
    ['Friday 02:00 belongs to Thursday night', night, '2024-03-01T02:00:00', false],
    ['from = to is all day', [{ from: '00:00', to: '00:00' }], '2024-03-01T13:13:00', true],
    ['no windows is never', [], '2024-03-01T12:00:00', false],
  ];
  for (const [name, windows, local, expected] of cases) assert.equal(inTimeWindows(windows, at(local)), expected, name);
});

test('local dates: midnight and compact date are Asia/Shanghai', () => {
  assert.equal(localMidnight('2024-03-01'), Date.UTC(2024, 1, 29, 16));
  assert.equal(localDateCompact(Date.UTC(2024, 1, 29, 16)), '20240301');
  assert.equal(localDateCompact(Date.UTC(2024, 1, 29, 15, 59, 59)), '20240229');
});
