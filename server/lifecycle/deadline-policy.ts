import { FINAL_STATUSES, type ClueStatus } from '../clues/clue.js';
import { ESCALATION_LEVELS, type EscalationLevel } from '../clues/clue-event.js';
import { addWorkingDays, addWorkingHours, type WorkingCalendar } from './working-calendar.js';

/**
 * Deadlines that do something (docs/DEADLINES.md): what an item's two deadlines are, and the
 * steps that follow each one — a warning (预警) when a share of the time has passed, overdue
 * (超期) at the deadline, and escalation (升级) town → district command centre → city after
 * each grace period. Pure: the scheduler (deadline-scheduler.ts) stores the plan on the clue and
 * asks `nextStep` what is due.
 */

/** How a duration counts: clock minutes (urgent items), or office time on working days. */
export type DurationUnit = 'minutes' | 'working-hours' | 'working-days';
export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/** An item's two deadlines, to accept (签收) and to close (办结), and the grace before each escalation. */
export interface DeadlineSpec {
  accept: Duration;
  close: Duration;
  grace: Duration;
}

/** What the spec is derived from: the catalogue item's urgency and its time allowed (`deadlineMin`). */
export interface ItemTiming {
  urgency: 'routine' | 'urgent' | 'immediate';
  deadlineMin: number;
}

const DAY_MIN = 1440;
const min = (amount: number): Duration => ({ amount, unit: 'minutes' });

/**
 * The deadline table by urgency. Urgent and immediate items (gas leak, bridge red alarm) count
 * in clock minutes, day and night; routine items of a day or more count in working days (and
 * are accepted within working hours), shorter routine items (parking) in clock minutes.
 */
export function deadlineSpec(item: ItemTiming): DeadlineSpec {
  const close = item.deadlineMin;
  switch (item.urgency) {
    case 'immediate':
      return { accept: min(Math.min(5, close)), close: min(close), grace: min(Math.max(5, Math.round(close / 3))) };
    case 'urgent':
      return { accept: min(Math.min(30, Math.ceil(close / 4))), close: min(close), grace: min(Math.max(15, Math.round(close / 4))) };
    case 'routine':
      if (close < DAY_MIN) return { accept: min(Math.ceil(close / 4)), close: min(close), grace: min(Math.max(15, Math.round(close / 2))) };
      return { accept: { amount: 2, unit: 'working-hours' }, close: { amount: Math.ceil(close / DAY_MIN), unit: 'working-days' }, grace: { amount: 1, unit: 'working-days' } };
  }
}

/** `start` plus a duration, counting working time on the calendar. */
export function addDuration(cal: WorkingCalendar, start: number, d: Duration): number {
  switch (d.unit) {
    case 'minutes':
      return start + d.amount * 60_000;
    case 'working-hours':
      return addWorkingHours(cal, start, d.amount);
    case 'working-days':
      return addWorkingDays(cal, start, d.amount);
  }
}

/** One planned step of a deadline; `key` names it uniquely within its clue or instruction. */
export interface PlannedStep {
  key: string;
  kind: 'warning' | 'overdue' | 'escalated';
  /** Which deadline: a clue's 'accept' or 'close', an instruction's 'answer'. */
  deadline: string;
  /** The deadline itself, ms. */
  dueAt: number;
  /** When the step falls due, ms. */
  at: number;
  level?: Exclude<EscalationLevel, 'town'>;
}

/** The steps after each deadline: which, and when (a share of the time, the deadline, graces after it). */
const STEP_TABLE: readonly { kind: PlannedStep['kind']; level?: PlannedStep['level']; graces?: number }[] = [
  { kind: 'warning' },
  { kind: 'overdue' },
  { kind: 'escalated', level: 'district', graces: 1 },
  { kind: 'escalated', level: 'city', graces: 2 },
];

/** The steps of one deadline; `escalate` false for deadlines that only warn and go overdue (instructions). */
export function planDeadline(
  cal: WorkingCalendar,
  deadline: string,
  start: number,
  dueAt: number,
  opts: { warningShare: number; grace?: Duration },
): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const row of STEP_TABLE) {
    const key = [deadline, row.kind, row.level].filter(Boolean).join('.');
    if (row.kind === 'warning') steps.push({ key, kind: row.kind, deadline, dueAt, at: start + Math.floor(opts.warningShare * (dueAt - start)) });
    else if (row.kind === 'overdue') steps.push({ key, kind: row.kind, deadline, dueAt, at: dueAt });
    else if (opts.grace) {
      let at = dueAt;
      for (let i = 0; i < row.graces!; i++) at = addDuration(cal, at, opts.grace);
      steps.push({ key, kind: row.kind, deadline, dueAt, at, level: row.level });
    }
  }
  return steps;
}

/** A clue's deadlines and the plan of its steps, from its item's spec and when it opened. */
export function planClueDeadlines(
  cal: WorkingCalendar,
  spec: DeadlineSpec,
  openedAt: number,
  warningShare: number,
): { acceptDueAt: number; closeDueAt: number; steps: PlannedStep[] } {
  const closeDueAt = addDuration(cal, openedAt, spec.close);
  const acceptDueAt = Math.min(addDuration(cal, openedAt, spec.accept), closeDueAt);
  return {
    acceptDueAt,
    closeDueAt,
    steps: [
      ...planDeadline(cal, 'accept', openedAt, acceptDueAt, { warningShare, grace: spec.grace }),
      ...planDeadline(cal, 'close', openedAt, closeDueAt, { warningShare, grace: spec.grace }),
    ],
  };
}

/** What `nextStep` needs to know: the plan, the steps taken, which deadlines are still open, the level. */
export interface DeadlineState {
  steps: readonly PlannedStep[];
  done: ReadonlySet<string>;
  /** Deadlines not yet met (a clue: 'accept' until accepted, 'close' until it ends). */
  pending: ReadonlySet<string>;
  level: EscalationLevel;
}

/**
 * The step to take now, if any, and when the next one falls due. A step applies while its
 * deadline is pending, it has not been taken, and (for an escalation) the clue is below its
 * level: an accept deadline escalated to the district leaves the close deadline's district
 * step nothing to do. Steps come in time order, so after downtime the caller takes them one by
 * one (warning, overdue, escalations), each once.
 */
export function nextStep(state: DeadlineState, now: number): { step: PlannedStep | null; nextAt: number | null } {
  const rank = ESCALATION_LEVELS.indexOf(state.level);
  const open = state.steps
    .filter((s) => state.pending.has(s.deadline) && !state.done.has(s.key) && (!s.level || ESCALATION_LEVELS.indexOf(s.level) > rank))
    .sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
  const first = open[0];
  if (!first) return { step: null, nextAt: null };
  return first.at <= now ? { step: first, nextAt: first.at } : { step: null, nextAt: first.at };
}

/** Statuses in which a clue has not yet been accepted (签收) by the unit it is with. */
const BEFORE_ACCEPT: readonly ClueStatus[] = ['new', 'dispatched', 'rejected', 'transferred'];

/**
 * A clue's pending deadlines: none once it is closed, merged or escalated to a case (立案);
 * 'close' until then; 'accept' too until a unit has accepted it (`accepted`: an accept is on its
 * timeline).
 */
export function pendingClueDeadlines(status: ClueStatus, accepted: boolean): Set<string> {
  if (FINAL_STATUSES.includes(status)) return new Set();
  return new Set(!accepted && BEFORE_ACCEPT.includes(status) ? ['accept', 'close'] : ['close']);
}
