import type pg from 'pg';
import type { Component } from '../../core/components.js';
import type { ComponentHealth } from '../../core/health.js';
import { every, type Periodic } from '../../core/every.js';
import type { Logger } from '../../core/logger.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { catalogueAt, type CatalogueHistory } from '../catalogue/catalogue-at.js';
import type { UnitDirectory } from '../catalogue/units.js';
import type { ClueDeadlineStep, QueuedClueEvent } from '../clues/clue-event.js';
import { clueFromRow, clueView, recordChanges, unitsToTell, type ClueRow, type StoredClue, type TimelineRow } from '../clues/stored-clue.js';
import { UNMAPPED_ITEM } from '../routing/route-clue.js';
import { calendarAround } from './calendar-store.js';
import { deadlineSpec, nextStep, pendingClueDeadlines, planClueDeadlines, type ItemTiming, type PlannedStep } from './deadline-policy.js';
import { appendInstructionEvents, instructionRow } from './instructions.js';
import type { WorkingCalendar } from './working-calendar.js';

const sql = defineQueries(import.meta.url, {
  claimClues: 'claim-due-clues',
  dueClues: 'due-clues',
  updateClue: 'update-clue-deadlines',
  claimInstructions: 'claim-due-instructions',
  updateInstruction: 'update-instruction-deadlines',
});

/** What the scheduler needs: the pool, the catalogue and units as they stand, a clock. */
export interface DeadlineSchedulerOptions {
  pool: pg.Pool;
  catalogue: () => { history: CatalogueHistory; directory: UnitDirectory };
  log: Logger;
  /** The clock (tests inject one); ms since epoch. */
  now?: () => number;
  /** Share of the time after which the warning (预警) goes out; default 0.8. */
  warningShare?: number;
  /** Clues or instructions per transaction; default 20. */
  batchSize?: number;
}

/** What one run did. */
export interface SchedulerRun {
  /** Clues whose deadlines it planned. */
  planned: number;
  /** Clue steps taken (warning, overdue, escalation). */
  clueSteps: number;
  instructionSteps: number;
}

type DueClueRow = ClueRow & { deadline_plan: PlannedStep[]; accepted: boolean };

const iso = (ms: number) => new Date(ms).toISOString();

/** The timeline action of a step. */
const actionOf = (step: PlannedStep) => `deadline.${step.kind}` as const;

/**
 * The deadline scheduler (docs/DEADLINES.md): it lives in the database, not in timers. Each
 * clue and instruction keeps the time the scheduler should next look at it
 * (`next_deadline_at`, indexed); a run claims what is due with `FOR UPDATE SKIP LOCKED`, a small
 * batch per transaction, and in that transaction plans new clues' deadlines, takes every step
 * now due (in time order, each recorded in `deadline_done` so it is taken once), appends a
 * timeline row and queues a 'deadline' clue event per step, and stores the next look. After a
 * restart the first run catches up on what fell due meanwhile; replicas claim disjoint rows.
 */
export class DeadlineScheduler {
  private readonly now: () => number;
  private readonly warningShare: number;
  private readonly batchSize: number;
  private last: { at: number; run: SchedulerRun } | undefined;

  constructor(private readonly opts: DeadlineSchedulerOptions) {
    this.now = opts.now ?? Date.now;
    this.warningShare = opts.warningShare ?? 0.8;
    this.batchSize = opts.batchSize ?? 20;
  }

  /** Takes everything due now, batch after batch, until nothing is left. */
  async runOnce(): Promise<SchedulerRun> {
    const run: SchedulerRun = { planned: 0, clueSteps: 0, instructionSteps: 0 };
    for (;;) {
      const n = await this.clueBatch(run);
      if (n < this.batchSize) break;
    }
    for (;;) {
      const n = await this.instructionBatch(run);
      if (n < this.batchSize) break;
    }
    this.last = { at: this.now(), run };
    return run;
  }

  /** The last run, for /healthz. */
  health(): ComponentHealth {
    return { status: 'ok', detail: this.last ? { lastRunAt: iso(this.last.at), ...this.last.run } : { lastRunAt: null } };
  }

  /** One transaction: claims up to a batch of due clues and takes their steps. Returns how many it claimed. */
  private async clueBatch(run: SchedulerRun): Promise<number> {
    const now = this.now();
    const { history, directory } = this.opts.catalogue();
    return withTransaction(this.opts.pool, async (client) => {
      const { rows: claimed } = await client.query<{ id: string }>(sql.claimClues, [iso(now), this.batchSize]);
      if (!claimed.length) return 0;
      const { rows } = await client.query<DueClueRow>(sql.dueClues, [claimed.map((r) => r.id)]);
      let cal: WorkingCalendar | undefined;
      const timeline: TimelineRow[] = [];
      const outbox: QueuedClueEvent[] = [];
      for (const row of rows) {
        let clue = clueFromRow(row);
        let d = clue.deadlines!;
        let plan = row.deadline_plan;
        if (d.acceptDueAt === null && !pendingClueDeadlines(clue.status, row.accepted).size) plan = [];
        else if (d.acceptDueAt === null) {
          cal ??= await calendarAround(client, now);
          const planned = planClueDeadlines(cal, deadlineSpec(this.timingOf(clue, history)), clue.openedAt, this.warningShare);
          plan = planned.steps;
          d = { ...d, acceptDueAt: planned.acceptDueAt, closeDueAt: planned.closeDueAt };
          clue = { ...clue, deadline: planned.closeDueAt, deadlines: d };
          run.planned++;
        }
        const done = new Set(d.done);
        const pending = pendingClueDeadlines(clue.status, row.accepted);
        let next = nextStep({ steps: plan, done, pending, level: d.escalationLevel }, now);
        while (next.step) {
          const step = next.step;
          done.add(step.key);
          const before = clue.boardUnitIds;
          if (step.kind === 'escalated') clue = escalate(clue, step.level!, directory);
          clue = { ...clue, deadlines: { ...clue.deadlines!, done: [...done], escalationLevel: step.level ?? clue.deadlines!.escalationLevel } };
          const added = clue.boardUnitIds.filter((u) => !before.includes(u));
          const eventStep: ClueDeadlineStep = { kind: step.kind, deadline: step.deadline as ClueDeadlineStep['deadline'], dueAt: iso(step.dueAt), ...(step.level ? { level: step.level } : {}) };
          const entry: TimelineRow = {
            clue_id: clue.id, at: now, actor: 'system', action: actionOf(step), from_status: clue.status, to_status: clue.status, source: null,
            detail: { step: eventStep, addedBoardUnitIds: added },
          };
          timeline.push(entry);
          outbox.push({
            clue_id: clue.id,
            clue_code: clue.code,
            change: 'deadline',
            unit_ids: unitsToTell(clue),
            payload: {
              change: 'deadline',
              clue: clueView(clue),
              step: eventStep,
              timeline: { at: iso(now), actor: 'system', action: entry.action, from: clue.status, to: clue.status, source: null, detail: entry.detail },
            },
          });
          run.clueSteps++;
          next = nextStep({ steps: plan, done, pending, level: clue.deadlines!.escalationLevel }, now);
        }
        const fin = clue.deadlines!;
        await client.query(sql.updateClue, [clue.id, fin.acceptDueAt, fin.closeDueAt, JSON.stringify(plan), fin.done, fin.escalationLevel, clue.boardUnitIds, next.nextAt]);
      }
      await recordChanges(client, timeline, outbox);
      return claimed.length;
    });
  }

  /** One transaction: claims up to a batch of due instructions and takes their warning and overdue steps. */
  private async instructionBatch(run: SchedulerRun): Promise<number> {
    const now = this.now();
    return withTransaction(this.opts.pool, async (client) => {
      const { rows: claimed } = await client.query<{ id: string }>(sql.claimInstructions, [iso(now), this.batchSize]);
      for (const { id } of claimed) {
        const row = (await instructionRow(client, Number(id)))!;
        const done = new Set(row.deadline_done);
        const pending = new Set(row.status === 'answered' ? [] : ['answer']);
        let next = nextStep({ steps: row.deadline_plan, done, pending, level: 'town' }, now);
        while (next.step) {
          const step = next.step;
          done.add(step.key);
          await appendInstructionEvents(client, [
            { instruction_id: Number(id), at: now, actor: 'system', action: actionOf(step) as 'deadline.warning' | 'deadline.overdue', detail: { dueAt: iso(step.dueAt) } },
          ]);
          run.instructionSteps++;
          next = nextStep({ steps: row.deadline_plan, done, pending, level: 'town' }, now);
        }
        await client.query(sql.updateInstruction, [id, [...done], next.nextAt]);
      }
      return claimed.length;
    });
  }

  /** The item's urgency and time allowed, from the catalogue version the clue was routed with. */
  private timingOf(clue: StoredClue, history: CatalogueHistory): ItemTiming {
    const snapshot = history.find((s) => s.version === clue.catalogueVersion) ?? catalogueAt(history, clue.openedAt);
    const item = clue.itemCode ? snapshot?.items[clue.itemCode] : undefined;
    return item ? { urgency: item.urgency, deadlineMin: item.deadlineMin } : { urgency: 'routine', deadlineMin: UNMAPPED_ITEM.deadlineMin };
  }

  /** Runs now (catching up on what fell due while stopped), then every `intervalMs`; returns the timer. */
  async start(intervalMs: number): Promise<Periodic> {
    await this.runOnce().catch((err: unknown) => this.opts.log.error({ err }, 'deadline scheduler catch-up failed; the next run tries again'));
    return every('deadline-scheduler', intervalMs, async () => void (await this.runOnce()), this.opts.log);
  }
}

/**
 * Escalation (升级) makes the higher command centre watch the clue: the district's
 * co-ordination office (the city's when the clue has no district office), then the city's, join
 * its board units. The clue is not reassigned.
 */
function escalate(clue: StoredClue, level: 'district' | 'city', units: UnitDirectory): StoredClue {
  const office = level === 'district' ? (units.coordinationOffices.get(clue.districtCode) ?? units.coordinationOffices.get(null)) : units.coordinationOffices.get(null);
  if (!office || office.id === clue.primaryUnitId || clue.boardUnitIds.includes(office.id)) return clue;
  return { ...clue, boardUnitIds: [...clue.boardUnitIds, office.id] };
}

/** The scheduler as a start-up component: seeds nothing, runs at start and every `intervalMs`. */
export function deadlineComponent(opts: () => DeadlineSchedulerOptions, intervalMs: number): Component {
  let scheduler: DeadlineScheduler | undefined;
  let timer: Periodic | undefined;
  return {
    name: 'deadlines',
    async start() {
      scheduler = new DeadlineScheduler(opts());
      timer = await scheduler.start(intervalMs);
    },
    stop: async () => timer?.stop(),
    health: () => scheduler?.health() ?? { status: 'off' },
  };
}
