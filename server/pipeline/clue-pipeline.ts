import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import { isTransientDbError } from '../../db/transient.js';
import type { Logger } from '../../core/logger.js';
import { every } from '../../core/every.js';
import { retry } from '../../core/retry.js';
import { GwError, type ErrorCode } from '../../core/errors.js';
import type { DeviceEvent } from '../../ingest/device-event.js';
import { eventFromRow, eventKey, type ReceivedEvent, type StoredEventRow } from '../../ingest/event-store.js';
import type { Crs } from '../../core/crs.js';
import type { AcceptedEventsHandler } from '../../ingest/transport.js';
import type { LocateResult } from '../../geo/types.js';
import { catalogueAt } from '../catalogue/catalogue-at.js';
import type { CatalogueState } from '../catalogue/catalogue-store.js';
import type { Alert } from '../detection/alert.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from '../detection/config.js';
import { checkSilence, detect, stateKey, type DetectorState } from '../detection/detect.js';
import { route } from '../routing/route-clue.js';
import { writeBatch, type BatchDecision, type BatchResult, type EventKeys, type StateChange } from './clue-writer.js';
import { DeviceRegistrations } from './device-registrations.js';
import { pipelineAlerts, pipelineBatchSeconds, pipelineClues, pipelineFailures, pipelineRecovered, pipelineRetries } from './metrics.js';
import type { RoutedAlert } from './plan-clues.js';
import type { Urgency } from '../catalogue/model.js';

const sql = defineQueries(import.meta.url, {
  deleteStates: 'delete-detector-states',
  onlineGas: 'list-online-gas-states',
  findUnprocessed: 'find-unprocessed-events',
  recordFailure: 'record-pipeline-failure',
});

/** The dead-letter code of a stored event the pipeline gave up on. */
const GIVEN_UP: ErrorCode = 'GW_PIPELINE_FAILED';

/** How the sweep takes up stored events the pipeline has not processed. */
export interface RecoveryOptions {
  /** Events per sweep batch (one pipeline transaction). */
  batchSize: number;
  /**
   * Periodic sweeps leave events received within this long to the sink's own hand-off, which
   * may still be retrying them (up to a minute of storage and a minute of pipeline retries).
   */
  graceMs: number;
  /** Failures of one event alone before it is given up. */
  maxAttempts: number;
  /** Pause before an event that failed alone is tried again, doubled per attempt. */
  backoffMs: number;
}

/** Defaults: 500-event batches, 3 min grace, 5 attempts from 30 s apart (about 15 min in all). */
export const DEFAULT_RECOVERY_OPTIONS: RecoveryOptions = { batchSize: 500, graceMs: 180_000, maxAttempts: 5, backoffMs: 30_000 };

/** What one sweep did. */
export interface SweepResult {
  /** Events it took through the pipeline. */
  processed: number;
  /** Events that failed alone: put off for a retry, or given up. */
  failed: number;
  givenUp: number;
}

/** Point → grid, community, town, district and zones: the geo locator, whichever is current. */
export interface PointLocator {
  locate(lon: number, lat: number, crs?: Crs, accuracyM?: number): LocateResult;
}

/** An alert and where it is. */
interface Located {
  alert: Alert;
  location: LocateResult;
}

/** What the pipeline needs from the rest of the service. */
export interface CluePipelineDeps {
  pool: pg.Pool;
  locator: PointLocator;
  catalogue: { current(): CatalogueState };
  log: Logger;
  config?: DetectorConfig;
  now?: () => number;
  /** How long a batch is retried while the database is unreachable (default 60 s). */
  retryForMs?: number;
  /** How `sweep` takes up unprocessed stored events (defaults: DEFAULT_RECOVERY_OPTIONS). */
  recovery?: Partial<RecoveryOptions>;
  /**
   * Items of these urgencies open their clues already dispatched to the routed unit when the
   * routing needs no confirmation (the demo: a newcomer's town worker can accept at once).
   * Default none: the command centre dispatches every clue.
   */
  autoDispatch?: readonly Urgency[];
}

/**
 * The clue pipeline (docs/DESIGN.md §3): locate → detect → route → aggregate → persist. `handle`
 * is the ingest sink's downstream handler. Per batch it locates every event in memory, then
 * in one transaction (`writeBatch`) locks and reads the detector states of the batch's keys,
 * runs the pure detectors and router (with the catalogue version in force at each alert's
 * time), and stores clues, timeline, outbox and the new states. The state lives in
 * `detector_states`, not in one process's memory: a restart resumes every dwell and sustain
 * timer, and replicas that share a device's events (MQTT shared subscriptions deal them out
 * round-robin) see one state. The timer side raises "device offline" for silent gas sensors
 * and forgets parking stays long over. Within a process, batches and sweeps run one at a time.
 */
export class CluePipeline {
  private readonly registrations: DeviceRegistrations;
  private readonly config: DetectorConfig;
  private readonly now: () => number;
  private readonly recovery: RecoveryOptions;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CluePipelineDeps) {
    this.registrations = new DeviceRegistrations(deps.pool, deps.log);
    this.config = deps.config ?? DEFAULT_DETECTOR_CONFIG;
    this.now = deps.now ?? Date.now;
    this.recovery = { ...DEFAULT_RECOVERY_OPTIONS, ...deps.recovery };
  }

  /** The ingest sink's downstream handler (bound, so it can be passed as is). */
  readonly handle: AcceptedEventsHandler = async (events) => {
    await this.exclusive(() => this.process(events));
  };

  /** Raises "device offline" for gas sensors silent too long; resolves to what it stored. */
  checkSilence(): Promise<BatchResult> {
    return this.exclusive(async () => {
      const end = pipelineBatchSeconds.startTimer({ source: 'silence' });
      const now = this.now();
      const { rows } = await this.retrying('reading gas sensor states', () => this.deps.pool.query<{ state_key: string; state: DetectorState }>(sql.onlineGas));
      const online = rows.flatMap((r) => (r.state.kind === 'gas-sensor' ? [{ key: r.state_key, state: r.state }] : []));
      const regs = await this.retrying('reading gas sensor registrations', () => this.registrations.get(online.map((o) => o.state.deviceId), now));
      const ctx = (deviceId: string) => ({ config: this.config, device: regs.get(deviceId)! });
      // A cheap first pass on unlocked states; the batch checks again on the locked ones.
      const due = online.filter((o) => checkSilence(o.state, now, ctx(o.state.deviceId)).alerts.length > 0).map((o) => o.key);
      if (!due.length) return { claimed: 0, opened: [], updated: [], alerts: [] };
      return this.store(due, now, (states) => {
        const changes: StateChange[] = [];
        const alerts: Located[] = [];
        for (const key of due) {
          const state = states.get(key);
          if (state?.kind !== 'gas-sensor') continue;
          const out = checkSilence(state, now, ctx(state.deviceId));
          if (out.state === state) continue;
          changes.push({ key, deviceId: state.deviceId, state: out.state });
          for (const alert of out.alerts) alerts.push({ alert, location: this.deps.locator.locate(alert.position.lon, alert.position.lat) });
        }
        return { alerts, changes };
      }, null).finally(end);
    });
  }

  /**
   * Forgets parking states whose last sighting is older than `retentionMs` (default a day, far
   * beyond the stale-stay limit and any redelivery): one state per plate and zone would
   * otherwise pile up for ever.
   */
  pruneParkingStates(retentionMs = 86_400_000): Promise<number> {
    return this.exclusive(async () => {
      const cutoff = this.now() - Math.max(retentionMs, this.config.parking.staleAfterS * 1000);
      const { rowCount } = await this.retrying('forgetting parking states', () => this.deps.pool.query(sql.deleteStates, [cutoff]));
      return rowCount ?? 0;
    });
  }

  /**
   * Every `intervalMs`: the gas silence check, then parking-state pruning. The returned stop
   * cancels the timer and waits for a sweep in progress, so shutdown never cuts one off.
   */
  startTimers(intervalMs: number): () => Promise<void> {
    return this.periodic('clue pipeline timer sweep', intervalMs, async (stopped) => {
      await this.checkSilence();
      if (!stopped.aborted) await this.pruneParkingStates();
    });
  }

  /**
   * Every `intervalMs`, a sweep (`sweep`) takes up stored events the sink's hand-off left
   * unprocessed: a batch that failed, or was cut off by a crash on another replica. The
   * returned stop cancels the timer and waits for a sweep in progress.
   */
  startRecovery(intervalMs: number): () => Promise<void> {
    return this.periodic('clue pipeline recovery sweep', intervalMs, (stopped) => this.sweep({ stopped: () => stopped.aborted }).then(() => undefined));
  }

  /**
   * Takes stored events the pipeline has not processed through it, oldest event time first, in
   * batches of `batchSize`, until none is left (or none could be taken: another replica holds
   * them). Each batch claims its events in its own transaction, so with replicas sweeping at
   * once, or the sink handing the same events over meanwhile, every event is detected once.
   * `graceMs` 0 (the start-up catch-up, before intake starts) takes fresh events too. A batch
   * that fails for anything but an unreachable database is split until the failing event is
   * alone; that event is put off with back-off, and after `maxAttempts` given up (see
   * `recordFailure`), so one poison event never holds up the others.
   */
  async sweep(opts: { graceMs?: number; stopped?: () => boolean } = {}): Promise<SweepResult> {
    const graceMs = opts.graceMs ?? this.recovery.graceMs;
    const total: SweepResult = { processed: 0, failed: 0, givenUp: 0 };
    for (;;) {
      const batch = await this.exclusive(async () => {
        const receivedBefore = Date.now() - graceMs;
        const { rows } = await this.retrying('finding unprocessed device events', () =>
          this.deps.pool.query<StoredEventRow>(sql.findUnprocessed, [receivedBefore, this.recovery.batchSize]),
        );
        const result: SweepResult = { processed: 0, failed: 0, givenUp: 0 };
        if (rows.length) await this.takeUp(rows.map(eventFromRow), result);
        return { result, full: rows.length === this.recovery.batchSize };
      });
      total.processed += batch.result.processed;
      total.failed += batch.result.failed;
      total.givenUp += batch.result.givenUp;
      if (batch.result.processed) this.deps.log.info({ ...batch.result }, 'took up stored device events the pipeline had not processed');
      if (!batch.full || batch.result.processed + batch.result.failed === 0 || opts.stopped?.()) return total;
    }
  }

  /**
   * Runs `job` every `intervalMs` (core/every: a slow run is never piled up, failures are
   * logged). Stop waits for the run in progress, then for any batch still queued behind it.
   */
  private periodic(name: string, intervalMs: number, job: (stopped: AbortSignal) => Promise<void>): () => Promise<void> {
    const periodic = every(name, intervalMs, job, this.deps.log);
    return async () => {
      await periodic.stop();
      await this.serial;
    };
  }

  /** One sweep batch through the pipeline, split in halves on failure down to single events. */
  private async takeUp(received: ReceivedEvent[], result: SweepResult): Promise<void> {
    try {
      const { claimed } = await this.process(received.map((r) => r.event));
      result.processed += claimed;
      pipelineRecovered.inc(claimed);
    } catch (err) {
      // An unreachable database is no event's fault: the next sweep tries again.
      if (isTransientDbError(err)) throw err;
      if (received.length > 1) {
        const half = Math.ceil(received.length / 2);
        await this.takeUp(received.slice(0, half), result);
        await this.takeUp(received.slice(half), result);
        return;
      }
      await this.recordFailure(received[0]!, err, result);
    }
  }

  /**
   * Counts a failure of one event alone and puts it off (back-off doubling per attempt); at
   * `maxAttempts` gives it up: `pipeline_error` on the event and a GW_PIPELINE_FAILED dead
   * letter for admins, with the reason. The event itself stays stored.
   */
  private async recordFailure({ event, transport }: ReceivedEvent, err: unknown, result: SweepResult): Promise<void> {
    const reason = err instanceof GwError ? `${err.code}: ${err.message}` : (err as Error).message;
    const { rows } = await this.retrying('recording a clue pipeline failure', () =>
      this.deps.pool.query<{ gave_up: boolean }>(sql.recordFailure, [
        event.deviceId,
        event.eventId,
        reason,
        this.recovery.backoffMs,
        this.recovery.maxAttempts,
        JSON.stringify({ ...event, ts: new Date(event.ts).toISOString(), transport }),
        GIVEN_UP,
      ]),
    );
    const gaveUp = rows[0]?.gave_up === true;
    result.failed += 1;
    if (gaveUp) result.givenUp += 1;
    pipelineFailures.inc({ outcome: gaveUp ? 'given_up' : 'retry' });
    this.deps.log[gaveUp ? 'error' : 'warn'](
      { err, deviceId: event.deviceId, eventId: event.eventId },
      gaveUp ? 'the clue pipeline gave up a stored device event' : 'the clue pipeline failed on a stored device event; it will be tried again',
    );
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async process(events: DeviceEvent[]): Promise<BatchResult> {
    const end = pipelineBatchSeconds.startTimer({ source: 'events' });
    const now = this.now();
    const regs = await this.retrying('reading device registrations', () => this.registrations.get(events.map((e) => e.deviceId), now));
    // Within a device, time order matters; the sort is stable for equal times.
    const located = [...events]
      .sort((a, b) => a.ts - b.ts)
      .map((event) => ({ event, key: stateKey(event), location: this.deps.locator.locate(event.position.lon, event.position.lat, 'wgs84', event.position.accuracyM ?? 0) }));
    const keys: EventKeys = { deviceIds: events.map((e) => e.deviceId), eventIds: events.map((e) => e.eventId) };
    return this.store([...new Set(located.map((l) => l.key))], now, (states, claimed) => {
      const changed = new Map<string, StateChange>();
      const alerts: Located[] = [];
      for (const { event, key, location } of located) {
        // Another transaction (a sweep, a replica) took this event, or already has.
        if (!claimed.has(eventKey(event.deviceId, event.eventId))) continue;
        const out = detect(changed.get(key)?.state ?? states.get(key), event, location, { config: this.config, device: regs.get(event.deviceId)! });
        changed.set(key, { key, deviceId: event.deviceId, state: out.state });
        for (const alert of out.alerts) alerts.push({ alert, location });
      }
      return { alerts, changes: [...changed.values()] };
    }, keys).finally(end);
  }

  /**
   * Runs a batch transaction (retried as a whole): it claims `events` (when a batch of events),
   * and `detectWith` gets the locked, stored states of `keys` and the claimed event keys and
   * says what alerts and new states follow; the alerts are routed with the catalogue as it
   * stood when the batch began.
   */
  private async store(
    keys: string[],
    now: number,
    detectWith: (states: ReadonlyMap<string, DetectorState>, claimed: ReadonlySet<string>) => { alerts: Located[]; changes: StateChange[] },
    events: EventKeys | null,
  ): Promise<BatchResult> {
    const { history, directory } = this.deps.catalogue.current();
    const decide = (states: ReadonlyMap<string, DetectorState>, claimed: ReadonlySet<string>): BatchDecision => {
      const { alerts, changes } = detectWith(states, claimed);
      const auto = this.deps.autoDispatch ?? [];
      const routed: RoutedAlert[] = alerts.map(({ alert, location }) => {
        const decision = route(alert, location, catalogueAt(history, alert.ts), directory);
        const dispatch = decision.item !== null && auto.includes(decision.item.urgency) && !decision.needsConfirmation && alert.disposition === 'clue';
        return { alert, location, decision, dispatch };
      });
      return { routed, changes };
    };
    const result = await this.retrying('storing clues', () => writeBatch(this.deps.pool, keys, decide, now, events));
    for (const alert of result.alerts) pipelineAlerts.inc({ type: alert.type, disposition: alert.disposition });
    pipelineClues.inc({ change: 'opened' }, result.opened.length);
    pipelineClues.inc({ change: 'updated' }, result.updated.length);
    return result;
  }

  /**
   * Runs `attempt`, and again with back-off (0.1 s doubling to 2 s) while it fails for a
   * connection-class reason, for up to `retryForMs`: the sink waits meanwhile, so intake slows
   * down instead of events skipping detection.
   */
  private retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return retry(attempt, {
      policy: { baseMs: 100, maxMs: 2_000, giveUpAfterMs: this.deps.retryForMs ?? 60_000 },
      retryable: isTransientDbError,
      onRetry: (err, _attempt, pauseMs) => {
        pipelineRetries.inc();
        this.deps.log.warn({ err, retryInMs: pauseMs }, `${what} failed; retrying`);
      },
    });
  }
}
