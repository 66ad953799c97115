import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chineseDaysSeed } from '../../server/lifecycle/calendar-store.js';
import { deadlineSpec, nextStep, pendingClueDeadlines, planClueDeadlines, type DeadlineState } from '../../server/lifecycle/deadline-policy.js';
import { workingCalendar } from '../../server/lifecycle/working-calendar.js';

const cal = workingCalendar(chineseDaysSeed().get(2026)!);
const at = (local: string) => Date.parse(`${local}+08:00`);
const MIN = 60_000;

test('the deadline table: urgent items in minutes, routine ones of a day or more in working days', () => {
  assert.deepEqual(deadlineSpec({ urgency: 'immediate', deadlineMin: 30 }), {
    accept: { amount: 5, unit: 'minutes' },
    close: { amount: 30, unit: 'minutes' },
    grace: { amount: 10, unit: 'minutes' },
  });
  assert.deepEqual(deadlineSpec({ urgency: 'urgent', deadlineMin: 60 }).close, { amount: 60, unit: 'minutes' });
  assert.deepEqual(deadlineSpec({ urgency: 'routine', deadlineMin: 4320 }), {
    accept: { amount: 2, unit: 'working-hours' },
    close: { amount: 3, unit: 'working-days' },
    grace: { amount: 1, unit: 'working-days' },
  });
  assert.deepEqual(deadlineSpec({ urgency: 'routine', deadlineMin: 60 }).close, { amount: 60, unit: 'minutes' }, 'short routine items (parking) count in minutes');
});

test('a gas leak at night: accept in 5 minutes, warning at 80 %, overdue, district after 10 more, city after 20', () => {
  const opened = at('2026-02-17T02:00:00'); // a Spring Festival night: clock minutes do not care
  const plan = planClueDeadlines(cal, deadlineSpec({ urgency: 'immediate', deadlineMin: 30 }), opened, 0.8);
  assert.equal(plan.acceptDueAt, opened + 5 * MIN);
  assert.equal(plan.closeDueAt, opened + 30 * MIN);
  const accept = Object.fromEntries(plan.steps.filter((s) => s.deadline === 'accept').map((s) => [s.key, (s.at - opened) / MIN]));
  assert.deepEqual(accept, { 'accept.warning': 4, 'accept.overdue': 5, 'accept.escalated.district': 15, 'accept.escalated.city': 25 });
});

test('a routine item opened before the Spring Festival is due after it, and escalates a working day later', () => {
  const opened = at('2026-02-13T16:00:00'); // Friday
  const plan = planClueDeadlines(cal, deadlineSpec({ urgency: 'routine', deadlineMin: 1440 }), opened, 0.8);
  assert.equal(plan.acceptDueAt, at('2026-02-14T10:00:00'), 'one working hour on Friday, one on the 调休 Saturday');
  assert.equal(plan.closeDueAt, at('2026-02-15T00:00:00'), 'end of the 调休 Saturday');
  const district = plan.steps.find((s) => s.key === 'close.escalated.district')!;
  assert.equal(district.at, at('2026-02-25T00:00:00'), 'one working day after the deadline: Tuesday 24 February, after the holiday');
});

test('nextStep takes steps in time order, each once, and skips what no longer applies', () => {
  const opened = 0;
  const { steps } = planClueDeadlines(cal, deadlineSpec({ urgency: 'immediate', deadlineMin: 30 }), opened, 0.8);
  const state: DeadlineState = { steps, done: new Set(), pending: pendingClueDeadlines('dispatched', false), level: 'town' };
  assert.deepEqual(nextStep(state, 3 * MIN), { step: null, nextAt: 4 * MIN });
  // Caught up after an hour: every step comes out, oldest first.
  const taken: string[] = [];
  const done = new Set<string>();
  let level: DeadlineState['level'] = 'town';
  for (let r = nextStep({ ...state, done, level }, 60 * MIN); r.step; r = nextStep({ ...state, done, level }, 60 * MIN)) {
    taken.push(r.step.key);
    done.add(r.step.key);
    level = r.step.level ?? level;
  }
  assert.deepEqual(taken, ['accept.warning', 'accept.overdue', 'accept.escalated.district', 'close.warning', 'accept.escalated.city', 'close.overdue']);
  assert.ok(!taken.includes('close.escalated.district') && !taken.includes('close.escalated.city'), 'already at city level: the close escalations have nothing to do');
  assert.deepEqual(nextStep({ ...state, done, level }, 60 * MIN), { step: null, nextAt: null });
});

test('an accepted clue has no accept steps; a closed, merged or escalated (立案) clue none at all', () => {
  assert.deepEqual([...pendingClueDeadlines('dispatched', false)], ['accept', 'close']);
  assert.deepEqual([...pendingClueDeadlines('handling', true)], ['close']);
  assert.deepEqual([...pendingClueDeadlines('transferred', true)], ['close'], 'accepted once: a transfer does not restart the accept deadline');
  for (const s of ['closed', 'merged', 'escalated'] as const) assert.equal(pendingClueDeadlines(s, true).size, 0);
  const { steps } = planClueDeadlines(cal, deadlineSpec({ urgency: 'immediate', deadlineMin: 30 }), 0, 0.8);
  const r = nextStep({ steps, done: new Set(), pending: pendingClueDeadlines('accepted', true), level: 'town' }, 60 * MIN);
  assert.equal(r.step?.key, 'close.warning');
  assert.deepEqual(nextStep({ steps, done: new Set(), pending: pendingClueDeadlines('closed', true), level: 'town' }, 60 * MIN), { step: null, nextAt: null });
});
