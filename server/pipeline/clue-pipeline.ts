import pg from 'pg';
import { loadSql } from '../../db/sql.js';
import type { Logger } from '../../core/logger.js';
import type { DeviceEvent } from '../../ingest/device-event.js';
import type { Crs } from '../../ingest/schemas/envelope.schema.js';
import type { AcceptedEventsHandler } from '../../ingest/transport.js';
import type { LocateResult } from '../../geo/types.js';
import { catalogueAt } from '../catalogue/catalogue-at.js';
import type { CatalogueState } from '../catalogue-store/catalogue-store.js';
import type { Alert } from '../rules/alert.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from '../rules/config.js';
import { checkSilence, detect, stateKey } from '../rules/detect.js';
import { route } from '../routing/route-clue.js';
import { writeBatch, type BatchResult, type StateChange } from './clue-writer.js';
import { DetectorStates } from './detector-states.js';
import { DeviceRegistrations } from './device-registrations.js';
import { pipelineAlerts, pipelineBatchSeconds, pipelineClues, pipelineRetries } from './metrics.js';
import type { RoutedAlert } from './plan-clues.js';

const DELETE_STATES = loadSql(new URL('./sql/delete-detector-states.sql', import.meta.url));

/** Point → grid, community, town, district and zones: the geo locator, whichever is current. */
export interface PointLocator {
  locate(lon: number, lat: number, crs?: Crs, accuracyM?: number): LocateResult;
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
}

/**
 * Whether a database failure may pass if tried again: SQLSTATE classes connection (08),
 * rollback (40: serialization, deadlock), resources (53), operator intervention (57) and
 * system (58); socket errors (ECONNREFUSED, ECONNRESET …); and pg's own "connection
 * terminated" errors. Anything else (bad data, a bug) would fail the same way every time.
 */
function transient(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return ['08', '40', '53', '57', '58'].includes((err.code ?? '').slice(0, 2));
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || /connection (terminated|timeout)|connection error/i.test(String((err as Error | null)?.message));
}

/**
 * The clue pipeline (DESIGN.md §3): locate → detect → route → aggregate → persist. `handle`
 * is the ingest sink's downstream handler: per batch it locates every event in memory, runs
 * the detectors on in-memory state, routes each alert with the catalogue version in force at
 * the alert's time, and stores clues, timeline, outbox and detector states in one transaction
 * (`writeBatch`). `checkSilence` is the timer side: gas sensors silent past their reporting
 * interval raise "device offline". Both run one at a time, so a timer sweep never interleaves
 * with a batch on the same state.
 */
export class CluePipeline {
  private readonly states = new DetectorStates();
  private readonly registrations: DeviceRegistrations;
  private readonly config: DetectorConfig;
  private readonly now: () => number;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CluePipelineDeps) {
    this.registrations = new DeviceRegistrations(deps.pool, deps.log);
    this.config = deps.config ?? DEFAULT_DETECTOR_CONFIG;
    this.now = deps.now ?? Date.now;
  }

  /** Restores the detector states stored by earlier runs; call before the first batch. */
  async start(): Promise<void> {
    const n = await this.states.load(this.deps.pool);
    this.deps.log.info({ detectorStates: n }, 'clue pipeline: detector states restored');
  }

  /** The ingest sink's downstream handler (bound, so it can be passed as is). */
  readonly handle: AcceptedEventsHandler = async (events) => {
    await this.exclusive(() => this.process(events));
  };

  /** Raises "device offline" for gas sensors silent too long; resolves to the clues it touched. */
  checkSilence(): Promise<BatchResult> {
    return this.exclusive(async () => {
      const end = pipelineBatchSeconds.startTimer({ source: 'silence' });
      const now = this.now();
      const gas = [...this.states.ofKind('gas-sensor')];
      const regs = await this.retrying('reading gas sensor registrations', () => this.registrations.get(gas.map(([, s]) => s.deviceId), now));
      const changes: StateChange[] = [];
      const alerts: Alert[] = [];
      for (const [key, state] of gas) {
        const out = checkSilence(state, now, { config: this.config, device: regs.get(state.deviceId)! });
        if (out.state === state) continue;
        changes.push({ key, deviceId: state.deviceId, state: out.state });
        alerts.push(...out.alerts);
      }
      const located = alerts.map((alert) => ({ alert, location: this.deps.locator.locate(alert.position.lon, alert.position.lat) }));
      return this.store(located, changes, now).finally(end);
    });
  }

  /**
   * Forgets parking states whose stay is over and whose last sighting is older than
   * `retentionMs` (default a day): one state per plate and zone would otherwise pile up for
   * ever. A day is far beyond any redelivery, so replay protection is not lost in practice.
   */
  pruneParkingStates(retentionMs = 86_400_000): Promise<number> {
    return this.exclusive(async () => {
      const now = this.now();
      const staleMs = this.config.parking.staleAfterS * 1000;
      const keys = [...this.states.ofKind('parking-camera')]
        .filter(([, s]) => (s.stay === null || now - s.stay.lastSeen > staleMs) && s.last !== null && now - s.last.ts > retentionMs)
        .map(([key]) => key);
      if (!keys.length) return 0;
      await this.retrying('forgetting parking states', () => this.deps.pool.query(DELETE_STATES, [keys]));
      this.states.forget(keys);
      return keys.length;
    });
  }

  /**
   * Every `intervalMs`: the gas silence check, then parking-state pruning. The returned stop
   * cancels the timer and waits for a sweep in progress, so shutdown never cuts one off.
   */
  startTimers(intervalMs: number): () => Promise<void> {
    const timer = setInterval(() => {
      this.checkSilence()
        .then(() => this.pruneParkingStates())
        .catch((err) => this.deps.log.error({ err }, 'clue pipeline timer sweep failed'));
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.serial;
    };
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
    const changed = new Map<string, StateChange>();
    const located: { alert: Alert; location: LocateResult }[] = [];
    // Within a device, time order matters; the sort is stable for equal times.
    for (const event of [...events].sort((a, b) => a.ts - b.ts)) {
      const key = stateKey(event);
      const location = this.deps.locator.locate(event.position.lon, event.position.lat, 'wgs84', event.position.accuracyM ?? 0);
      const before = changed.get(key)?.state ?? this.states.get(key);
      const out = detect(before, event, location, { config: this.config, device: regs.get(event.deviceId)! });
      changed.set(key, { key, deviceId: event.deviceId, state: out.state });
      for (const alert of out.alerts) located.push({ alert, location });
    }
    return this.store(located, [...changed.values()], now).finally(end);
  }

  /** Routes the alerts and writes the batch; memory takes the new states only once it committed. */
  private async store(located: { alert: Alert; location: LocateResult }[], changes: StateChange[], now: number): Promise<BatchResult> {
    if (!located.length && !changes.length) return { opened: [], updated: [] };
    const { history, directory } = this.deps.catalogue.current();
    const routed: RoutedAlert[] = located.map(({ alert, location }) => {
      pipelineAlerts.inc({ type: alert.type, disposition: alert.disposition });
      return { alert, location, decision: route(alert, location, catalogueAt(history, alert.ts), directory) };
    });
    const result = await this.retrying('storing clues', async () => {
      const client = await this.deps.pool.connect();
      let failure: unknown;
      try {
        return await writeBatch(client, routed, changes, now);
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        // A connection that failed mid-transaction is discarded, not handed to the next user.
        client.release(failure !== undefined && transient(failure) ? (failure as Error) : undefined);
      }
    });
    this.states.commit(changes);
    pipelineClues.inc({ change: 'opened' }, result.opened.length);
    pipelineClues.inc({ change: 'updated' }, result.updated.length);
    return result;
  }

  /**
   * Runs `attempt`, and again with back-off (0.1 s doubling to 2 s) while it fails for a
   * connection-class reason, for up to `retryForMs`: the sink waits meanwhile, so intake slows
   * down instead of events skipping detection.
   */
  private async retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + (this.deps.retryForMs ?? 60_000);
    for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
      try {
        return await attempt();
      } catch (err) {
        if (!transient(err) || Date.now() + pause > giveUpAt) throw err;
        pipelineRetries.inc();
        this.deps.log.warn({ err, retryInMs: pause }, `${what} failed; retrying`);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }
}
