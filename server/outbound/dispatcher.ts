import crypto from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import type { Logger } from '../../core/logger.js';
import { retry, sleep } from '../../core/retry.js';
import { defineQueries } from '../../db/sql.js';
import { isTransientDbError } from '../../db/transient.js';
import type { ComponentHealth } from '../../core/health.js';
import type { DeliveryTarget } from './delivery-target.js';
import { outboundDelivered, outboundFailed, outboundGivenUp, outboundLagEvents, outboundLagSeconds } from './metrics.js';
import { clueEventFromRow, type ClueEventRow } from '../clues/clue-event.js';
import { OutboxWatermark } from './watermark.js';
import { WebhookTarget } from './webhook-target.js';

const sql = defineQueries(import.meta.url, {
  ensureTarget: 'ensure-target',
  lowestCursor: 'lowest-cursor',
  claim: 'claim-targets',
  readOutbox: 'read-outbox',
  progress: 'record-progress',
  release: 'release-leases',
  lag: 'target-lag',
});

export interface DispatcherOptions {
  pool: pg.Pool;
  log: Logger;
  /** The built-in targets this replica has: 'mqtt' always, 'kafka' when Kafka is on. */
  targets: Partial<Record<'mqtt' | 'kafka', DeliveryTarget>>;
  /** This replica's name in leases; unique per process. */
  owner?: string;
  /** Pause between rounds when there is nothing to do. */
  pollMs?: number;
  /** Most events read for a target at once. */
  batchSize?: number;
  /** How long a claimed target stays this replica's without progress being written. */
  leaseMs?: number;
  /** Per webhook request; keep it under half of leaseMs, so progress is written while the lease holds. */
  webhookTimeoutMs?: number;
  /** A webhook gives an event up after this many failed attempts (MQTT and Kafka never do). */
  maxAttempts?: number;
  /** Back-off after the first failure; doubles with each further one, up to backoffMaxMs. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How often the lag gauges are refreshed. */
  lagRefreshMs?: number;
}

/** How long a round is retried against an unreachable database before the next round starts afresh. */
const ROUND_RETRY_MS = 30_000;

interface ClaimedRow {
  target: string;
  last_id: number | string;
  attempts: number;
  webhook_id: string | null;
  url: string | null;
  secret: string | null;
  unit_ids: string[] | null;
}

/**
 * Delivers every row of `clue_outbox` to every target, at least once and in outbox order
 * (so in order per clue), on its own loop beside the pipeline, which only ever writes rows.
 *
 * Each target has its own cursor, lease and back-off in `outbound_targets`, and is worked as
 * its own task: a webhook that is slow or down holds back only its own events. A round
 * advances the gap-safe high-water mark, claims the due targets with events below it (one
 * short UPDATE … FOR UPDATE SKIP LOCKED, so two replicas split the targets and never hold a
 * transaction across a delivery) and starts a task for each. A task delivers batches and
 * writes its cursor after each one while its lease holds; after a failure it sets the next
 * attempt after an exponential back-off. A crash between a delivery and its cursor write
 * repeats that batch: receivers drop event ids they have seen.
 */
export class OutboundDispatcher {
  private readonly owner: string;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly lagRefreshMs: number;
  private readonly working = new Map<string, Promise<void>>();
  private readonly stopped = new AbortController();
  private watermark?: OutboxWatermark;
  private loop?: Promise<void>;
  private stopping = false;
  private lastError?: string;
  private lagRefreshedAt = 0;

  constructor(private readonly opts: DispatcherOptions) {
    this.owner = opts.owner ?? `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    this.pollMs = opts.pollMs ?? 250;
    this.batchSize = opts.batchSize ?? 100;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.backoffBaseMs = opts.backoffBaseMs ?? 1000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 5 * 60_000;
    this.lagRefreshMs = opts.lagRefreshMs ?? 5000;
  }

  /** Creates the built-in targets' rows when first enabled and starts the loop. */
  async start(): Promise<void> {
    for (const name of Object.keys(this.opts.targets)) await this.opts.pool.query(sql.ensureTarget, [name]);
    const { rows } = await this.opts.pool.query<{ start: number | string }>(sql.lowestCursor);
    this.watermark = new OutboxWatermark(this.opts.pool, Number(rows[0]!.start));
    this.loop = this.run();
    this.opts.log.info({ owner: this.owner, targets: Object.keys(this.opts.targets), from: rows[0]!.start }, 'outbound dispatcher started');
  }

  /**
   * Stops claiming, lets running deliveries finish their batch (a webhook request under way is
   * cut short: see WebhookTarget), and hands the leases back.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopped.abort();
    await this.loop;
    await Promise.allSettled([...this.working.values()]);
    await this.opts.pool.query(sql.release, [this.owner]).catch((err: unknown) => this.opts.log.warn({ err }, 'releasing outbound leases failed'));
  }

  /** For /healthz: the high-water mark, targets being worked here, and the last round's error. */
  health(): ComponentHealth {
    const detail = { owner: this.owner, watermark: this.watermark?.value, working: [...this.working.keys()], ...(this.lastError ? { lastError: this.lastError } : {}) };
    if (this.stopping) return { status: 'off', detail };
    if (!this.loop) return { status: 'starting', detail };
    return { status: this.lastError ? 'down' : 'ok', detail };
  }

  /**
   * Runs a round every `pollMs`. A round that fails because the database is unreachable is
   * retried with back-off (core/retry) for up to ROUND_RETRY_MS; then, or for any other
   * failure, it is logged and the next round tries again. Nothing is lost meanwhile: the
   * outbox keeps the events.
   */
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await retry(() => this.round(), {
          policy: { baseMs: this.pollMs, giveUpAfterMs: ROUND_RETRY_MS },
          retryable: isTransientDbError,
          signal: this.stopped.signal,
          onRetry: (err, attempt) => {
            this.lastError = (err as Error).message;
            if (attempt === 1) this.opts.log.warn({ err }, 'outbound dispatch round failed; retrying with back-off');
          },
        });
        this.lastError = undefined;
      } catch (err) {
        this.lastError = (err as Error).message;
        if (!this.stopping) this.opts.log.warn({ err }, 'outbound dispatch round failed; the next round tries again');
      }
      await sleep(this.pollMs, this.stopped.signal);
    }
  }

  private async round(): Promise<void> {
    const mark = await this.watermark!.advance();
    const builtIn = Object.keys(this.opts.targets);
    const { rows } = await this.opts.pool.query<ClaimedRow>(sql.claim, [this.owner, this.leaseMs, mark, [...this.working.keys()], builtIn, 50]);
    for (const row of rows) {
      const target = this.targetFor(row);
      if (!target) continue;
      const task = this.work(row, target, mark)
        .catch((err: unknown) => this.opts.log.warn({ err, target: row.target }, 'outbound delivery task failed; the target is retried when its lease ends'))
        .finally(() => this.working.delete(row.target));
      this.working.set(row.target, task);
    }
    if (Date.now() - this.lagRefreshedAt >= this.lagRefreshMs) {
      this.lagRefreshedAt = Date.now();
      const lag = await this.opts.pool.query<{ target: string; pending: number; age_s: number }>(sql.lag);
      // Reset first so a deleted webhook's series disappears instead of freezing at its last value.
      outboundLagEvents.reset();
      outboundLagSeconds.reset();
      for (const r of lag.rows) {
        outboundLagEvents.set({ target: r.target }, r.pending);
        outboundLagSeconds.set({ target: r.target }, r.age_s);
      }
    }
  }

  private targetFor(row: ClaimedRow): DeliveryTarget | undefined {
    if (row.webhook_id && row.url && row.secret) {
      return new WebhookTarget({ id: row.webhook_id, url: row.url, secret: row.secret, unitIds: row.unit_ids }, this.opts.webhookTimeoutMs ?? 10_000, this.stopped.signal);
    }
    return this.opts.targets[row.target as 'mqtt' | 'kafka'];
  }

  /**
   * Delivers batches to one target until it is caught up with `mark`, fails, or half its lease
   * is used. Half, because a request under way when the budget runs out may still take the
   * webhook timeout to finish, and progress must be written before the lease ends.
   */
  private async work(row: ClaimedRow, target: DeliveryTarget, mark: number): Promise<void> {
    // Not AbortSignal.timeout: its timer would outlive the task and hold a stopping process open.
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), this.leaseMs / 2);
    try {
      await this.deliverBatches(row, target, mark, AbortSignal.any([this.stopped.signal, budget.signal]));
    } finally {
      clearTimeout(timer);
    }
  }

  private async deliverBatches(row: ClaimedRow, target: DeliveryTarget, mark: number, enough: AbortSignal): Promise<void> {
    const { pool } = this.opts;
    let lastId = Number(row.last_id);
    let attempts = row.attempts;
    const webhook = row.webhook_id !== null;
    while (!enough.aborted && lastId < mark) {
      const { rows } = await pool.query<ClueEventRow>(sql.readOutbox, [lastId, mark, this.batchSize]);
      // Rows below the mark never vanish unless pruned; then there is nothing to deliver.
      const events = rows.map(clueEventFromRow);
      const result = events.length ? await target.deliver(events, attempts + 1, enough) : { done: 0, delivered: 0 };
      const doneUpTo = result.done > 0 ? events[result.done - 1]!.id : events.length ? lastId : mark;
      if (result.delivered) outboundDelivered.inc({ target: row.target }, result.delivered);
      if (result.error === undefined) {
        if (!(await this.record(row.target, doneUpTo, 0, 0, null, result.delivered))) return;
        lastId = doneUpTo;
        attempts = 0;
        continue;
      }
      if (this.stopped.signal.aborted) {
        // Cut short by shutdown, not failed by the receiver: no attempt is counted against it.
        // What was delivered is recorded; the rest goes again from the next owner (at least once).
        if (result.done > 0) await this.record(row.target, doneUpTo, 0, 0, null, result.delivered);
        return;
      }
      outboundFailed.inc({ target: row.target });
      const failedEvent = events[result.done]!;
      const tries = (result.done > 0 ? 0 : attempts) + 1;
      if (webhook && tries >= this.maxAttempts) {
        outboundGivenUp.inc({ target: row.target });
        this.opts.log.warn({ target: row.target, eventId: failedEvent.id, clue: failedEvent.clueCode, tries, error: result.error }, 'webhook delivery given up after the maximum attempts');
        await this.record(row.target, failedEvent.id, 0, 0, result.error, result.delivered, { id: failedEvent.id, clueCode: failedEvent.clueCode, tries });
        return;
      }
      const delay = this.backoff(tries);
      this.opts.log.debug({ target: row.target, eventId: failedEvent.id, tries, retryInMs: delay, error: result.error }, 'outbound delivery failed; backing off');
      await this.record(row.target, doneUpTo, tries, delay, result.error, result.delivered);
      return;
    }
  }

  /** Writes a target's progress under its lease; false when the lease was lost. */
  private async record(
    target: string,
    lastId: number,
    attempts: number,
    delayMs: number,
    error: string | null,
    delivered: number,
    givenUp?: { id: number; clueCode: string; tries: number },
  ): Promise<boolean> {
    const { rows } = await this.opts.pool.query<{ updated: number }>(sql.progress, [
      target,
      this.owner,
      lastId,
      attempts,
      delayMs,
      error,
      delivered,
      givenUp ? 1 : 0,
      this.leaseMs,
      givenUp?.id ?? null,
      givenUp?.clueCode ?? null,
      givenUp?.tries ?? null,
    ]);
    if (rows[0]!.updated === 0) this.opts.log.warn({ target, owner: this.owner }, 'outbound lease lost (or webhook deleted); leaving the target to its new owner');
    return rows[0]!.updated > 0;
  }

  /** Exponential back-off with ±20 % jitter, so replicas' retries of one receiver spread out. */
  private backoff(tries: number): number {
    const base = Math.min(this.backoffBaseMs * 2 ** (tries - 1), this.backoffMaxMs);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}
