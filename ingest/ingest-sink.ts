import crypto from 'node:crypto';
import pg from 'pg';
import { GwError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { retry } from '../core/retry.js';
import { isTransientDbError } from '../db/transient.js';
import type { DeadLetter, DeviceEvent } from './device-event.js';
import { admitEvent, deadLetter, decodeInput, DEFAULT_MAX_PAYLOAD_BYTES, type Parsed } from './decode.js';
import { eventKey, storeBatch, type ReceivedEvent, type SequencedDeadLetter } from './event-store.js';
import { storeImage, type CheckedImage } from './images.js';
import {
  ingestBatchSize,
  ingestDeadLetters,
  ingestOutcomes,
  ingestPending,
  ingestReceived,
  ingestStageSeconds,
  ingestStoreRetries,
  ingestSubmitRefused,
} from './metrics.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './normalise.js';
import type { AcceptedEventsHandler, DeviceIdentity, IngestOutcome, IngestSink, RawInput, TransportHealth } from './transport.js';

/** Tuning of the batcher. Defaults suit one app instance on a 2-core machine. */
export interface IngestSinkOptions {
  /** Inputs per batch (one multi-row insert). */
  maxBatch: number;
  /** How long a batch may wait to fill when input is sparse. */
  lingerMs: number;
  /** Inputs admitted and not yet stored; beyond this `submit` waits (back-pressure). */
  maxPending: number;
  /** How long `submit` waits for room before it rejects (the transport then does not acknowledge). */
  admitTimeoutMs: number;
  /** How long a batch is retried against a failing database before its submissions are rejected. */
  retryForMs: number;
  /** First and largest pause between store attempts (doubling in between). */
  retryBaseMs: number;
  retryMaxMs: number;
  maxPayloadBytes: number;
  normalise: NormaliseOptions;
}

/** Defaults: 500-event batches, 5 ms linger, 20k inputs in flight, 30 s admit wait, 60 s of retries. */
export const DEFAULT_SINK_OPTIONS: IngestSinkOptions = {
  maxBatch: 500,
  lingerMs: 5,
  maxPending: 20_000,
  admitTimeoutMs: 30_000,
  retryForMs: 60_000,
  retryBaseMs: 50,
  retryMaxMs: 2_000,
  maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  normalise: DEFAULT_NORMALISE_OPTIONS,
};

/** What the sink needs from the outside world. */
export interface IngestSinkDeps {
  pool: pg.Pool;
  /** Device registrations for the decoder's checks (the DeviceRegistry). */
  devices: { identities(ids: Iterable<string>): Promise<Map<string, DeviceIdentity>> };
  /** Images are written under `dataDir/images/`. */
  dataDir: string;
  log: Logger;
  /** Called with each batch's newly accepted events (never duplicates) after they are stored. */
  onAccepted?: AcceptedEventsHandler;
}

interface Submission {
  outcomes: IngestOutcome[];
  remaining: number;
  settled: boolean;
  resolve(o: IngestOutcome[]): void;
  reject(err: Error): void;
}

interface Item {
  input: RawInput;
  sub: Submission;
  index: number;
}

interface Waiter {
  n: number;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** While shutting down, storage is retried this long at most: unacknowledged input is redelivered after restart. */
const CLOSING_RETRY_MS = 2_000;

/**
 * The ingest sink: every transport hands its raw inputs here. Inputs are batched (up to
 * `maxBatch`, or whatever arrived within `lingerMs`), decoded and normalised, and each batch is
 * stored in one transaction. `submit` resolves once the inputs' batch has committed. When the
 * database is slow or down, batches are retried with back-off, the pending window fills, and
 * `submit` waits: nothing is buffered without bound and nothing is dropped. A submission that
 * cannot be stored in time (admitTimeoutMs to get in, retryForMs of failed attempts once in) is
 * rejected, so its transport does not acknowledge it and redelivers it.
 */
export class BatchingIngestSink implements IngestSink {
  private readonly opts: IngestSinkOptions;
  private readonly queue: Item[] = [];
  private readonly waiters: Waiter[] = [];
  private pending = 0;
  private wake: (() => void) | undefined;
  private closing = false;
  private readonly loop: Promise<void>;
  private failingSince: number | null = null;
  private lastError: string | null = null;
  /** Since when, and why, device images cannot be written (a full or read-only disk); null when they can. */
  private imagesFailing: { since: number; error: string } | null = null;
  /** Aborts CLOSING_RETRY_MS after `close`, ending storage retries still under way. */
  private readonly closingDeadline = new AbortController();
  /** The downstream hand-off of the last committed batch, still running while the next is stored. */
  private handoff: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: IngestSinkDeps,
    opts: Partial<IngestSinkOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SINK_OPTIONS, ...opts };
    this.loop = this.run();
  }

  /** IngestSink: outcomes in input order, once stored; rejects with GW_INGEST_UNAVAILABLE when it cannot store. */
  async submit(inputs: RawInput[]): Promise<IngestOutcome[]> {
    if (this.closing) {
      ingestSubmitRefused.inc({ reason: 'closing' });
      throw new GwError('GW_INGEST_UNAVAILABLE', `Submitting ${inputs.length} device inputs: ingest is shutting down`);
    }
    if (!inputs.length) return [];
    for (const input of inputs) ingestReceived.inc({ transport: input.transport });
    await this.admit(inputs.length);
    return new Promise<IngestOutcome[]>((resolve, reject) => {
      const sub: Submission = { outcomes: new Array(inputs.length), remaining: inputs.length, settled: false, resolve, reject };
      inputs.forEach((input, index) => this.queue.push({ input, sub, index }));
      this.wake?.();
    });
  }

  /** Stops admitting input, stores everything already admitted, then returns. */
  async close(): Promise<void> {
    if (!this.closing) setTimeout(() => this.closingDeadline.abort(), CLOSING_RETRY_MS).unref();
    this.closing = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new GwError('GW_INGEST_UNAVAILABLE', `Waiting to submit ${w.n} device inputs: ingest is shutting down`));
    }
    this.wake?.();
    await this.loop;
  }

  /**
   * For /healthz: down while the database refuses batches, with how long and why. A disk too
   * full for images is named in the detail but leaves the status ok: events without images are
   * still stored, and a load balancer taking this instance out (or a restart) would not free space.
   */
  health(): TransportHealth {
    const detail: Record<string, unknown> = { pending: this.pending, maxPending: this.opts.maxPending };
    if (this.imagesFailing) detail.imageStorage = { status: 'failing', failingForMs: Date.now() - this.imagesFailing.since, lastError: this.imagesFailing.error };
    if (this.failingSince === null) return { status: 'ok', detail };
    return { status: 'down', detail: { ...detail, failingForMs: Date.now() - this.failingSince, lastError: this.lastError } };
  }

  /** Waits (FIFO) until `n` more inputs fit in the pending window, or rejects after admitTimeoutMs. */
  private admit(n: number): Promise<void> {
    // A submission larger than the whole window is let in alone rather than refused forever.
    if (!this.waiters.length && (this.pending + n <= this.opts.maxPending || this.pending === 0)) {
      this.addPending(n);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        n,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          ingestSubmitRefused.inc({ reason: 'overloaded' });
          reject(
            new GwError(
              'GW_INGEST_UNAVAILABLE',
              `Submitting ${n} device inputs: no room within ${this.opts.admitTimeoutMs} ms (${this.pending} inputs pending${this.lastError ? `; storage failing: ${this.lastError}` : ''})`,
            ),
          );
        }, this.opts.admitTimeoutMs),
      };
      this.waiters.push(w);
    });
  }

  private addPending(n: number): void {
    this.pending += n;
    ingestPending.set(this.pending);
  }

  private release(n: number): void {
    this.pending -= n;
    while (this.waiters.length) {
      const w = this.waiters[0]!;
      if (this.pending + w.n > this.opts.maxPending && this.pending !== 0) break;
      this.waiters.shift();
      clearTimeout(w.timer);
      this.addPending(w.n);
      w.resolve();
    }
    ingestPending.set(this.pending);
  }

  /** The single writer: one batch at a time, so batches commit in arrival order; ends once the last hand-off has. */
  private async run(): Promise<void> {
    for (;;) {
      if (!this.queue.length) {
        if (this.closing) return this.handoff;
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      // A timer that holds the process open (unlike core/retry's sleep): submitted input waits on it.
      if (this.queue.length < this.opts.maxBatch && !this.closing) await new Promise((r) => setTimeout(r, this.opts.lingerMs));
      const items = this.queue.splice(0, this.opts.maxBatch);
      try {
        await this.processBatch(items);
      } catch (err) {
        // Storage has failed for a whole retry budget: everything queued behind this batch would
        // wait as long again, so it is refused now too (its transports redeliver it later).
        items.push(...this.queue.splice(0));
        this.failBatch(items, err);
      }
      this.release(items.length);
    }
  }

  private failBatch(items: Item[], err: unknown): void {
    const e = err instanceof GwError ? err : new GwError('GW_INGEST_UNAVAILABLE', `Storing ${items.length} device inputs failed: ${(err as Error).message}`, undefined, { cause: err });
    this.deps.log.error({ err, inputs: items.length }, e.message);
    for (const { sub } of items) {
      if (sub.settled) continue;
      sub.settled = true;
      ingestSubmitRefused.inc({ reason: 'unavailable' });
      sub.reject(e);
    }
  }

  private async processBatch(items: Item[]): Promise<void> {
    ingestBatchSize.observe(items.length);
    const batchId = crypto.randomUUID();

    let end = ingestStageSeconds.startTimer({ stage: 'decode' });
    const parsed: Parsed[] = items.map((it) => this.isolate(it.input, () => decodeInput(it.input, this.opts.maxPayloadBytes)));
    end();

    end = ingestStageSeconds.startTimer({ stage: 'lookup' });
    const ids = parsed.flatMap((p) => (p.ok ? [p.wire.deviceId] : []));
    const identities = ids.length ? await this.retrying(`Looking up ${ids.length} devices`, () => this.deps.devices.identities(ids)) : new Map();
    end();

    const outcomes: IngestOutcome[] = new Array(items.length);
    const kinds: string[] = parsed.map((p) => (p.ok ? p.wire.kind : 'unknown'));
    let events: (ReceivedEvent & { index: number })[] = [];
    let dead: SequencedDeadLetter[] = [];
    const images: { image: CheckedImage; index: number }[] = [];
    const firstByKey = new Map<string, number>();
    /** In-batch duplicates: index → the index of the first copy, whose fate they share. */
    const sameAs = new Map<number, number>();
    end = ingestStageSeconds.startTimer({ stage: 'normalise' });
    parsed.forEach((p, index) => {
      const input = items[index]!.input;
      const a = p.ok ? this.isolate(input, () => admitEvent(p.wire, input, identities.get(p.wire.deviceId), this.opts.normalise)) : p;
      if (!a.ok) {
        dead.push({ seq: index, letter: a.dead });
        return;
      }
      const key = eventKey(a.event.deviceId, a.event.eventId);
      const first = firstByKey.get(key);
      if (first !== undefined) {
        // The same event twice in one batch: the first copy decides, the rest are duplicates.
        sameAs.set(index, first);
        outcomes[index] = { status: 'duplicate', deviceId: a.event.deviceId, eventId: a.event.eventId };
        return;
      }
      firstByKey.set(key, index);
      events.push({ event: a.event, transport: input.transport, index });
      if (a.image) images.push({ image: a.image, index });
    });
    end();

    if (images.length) {
      end = ingestStageSeconds.startTimer({ stage: 'images' });
      const unstorable = await this.writeImages(images);
      end();
      if (unstorable) {
        for (const [copy, first] of sameAs) {
          const err = unstorable.get(first);
          if (err) unstorable.set(copy, err);
        }
        const refusedSubs = this.refuseUnstorable(items, unstorable);
        for (const i of unstorable.keys()) delete outcomes[i];
        // Events are stored once whatever happens (their key), so everything but the events
        // whose image failed is stored now: a gas alarm in the same Kafka batch as a camera
        // image is not held back until someone frees space. Dead letters have no such key, so
        // those of a refused submission are left for its resend.
        events = events.filter((e) => !unstorable.has(e.index));
        dead = dead.filter((d) => !refusedSubs.has(items[d.seq]!.sub));
      }
    }

    end = ingestStageSeconds.startTimer({ stage: 'store' });
    const { stored, refused } = await this.storeIsolating(batchId, events, dead, items);
    end();

    const accepted: DeviceEvent[] = [];
    for (const { event, index } of events) {
      const ids = { deviceId: event.deviceId, eventId: event.eventId };
      if (refused.has(index)) continue;
      if (stored.has(eventKey(event.deviceId, event.eventId))) {
        outcomes[index] = { status: 'accepted', ...ids };
        accepted.push(event);
      } else outcomes[index] = { status: 'duplicate', ...ids };
    }
    for (const { seq, letter } of [...dead, ...refused.values()]) {
      outcomes[seq] = { status: 'rejected', code: letter.code, reason: letter.reason };
      ingestDeadLetters.inc({ transport: letter.transport, code: letter.code });
    }
    outcomes.forEach((o, i) => {
      const outcome = o.status === 'rejected' ? 'dead_letter' : o.status;
      ingestOutcomes.inc({ transport: items[i]!.input.transport, kind: kinds[i]!, outcome });
      const { sub, index } = items[i]!;
      if (sub.settled) return;
      sub.outcomes[index] = o;
      if (--sub.remaining === 0) {
        sub.settled = true;
        sub.resolve(sub.outcomes);
      }
    });

    const downstream = this.deps.onAccepted;
    if (accepted.length && downstream) {
      // The previous batch's hand-off finishes first: batches reach the pipeline in commit order,
      // and while one is in the pipeline only the next is stored, so a slow pipeline still slows
      // intake, but storing and detecting overlap instead of taking turns.
      await this.handoff;
      this.handoff = this.handOff(downstream, accepted);
    }
  }

  /** Runs the downstream handler on a committed batch; its failures (sync or async) never undo storage. */
  private async handOff(downstream: AcceptedEventsHandler, accepted: Parameters<AcceptedEventsHandler>[0]): Promise<void> {
    const end = ingestStageSeconds.startTimer({ stage: 'downstream' });
    try {
      await downstream(accepted);
    } catch (err) {
      this.deps.log.error({ err, events: accepted.length }, 'downstream handling of accepted device events failed');
    } finally {
      end();
    }
  }

  /**
   * Writes the batch's images (each distinct file once) before any row refers to them. Returns
   * the first storage error (GW_INGEST_STORAGE: disk full or not writable) per input whose image
   * could not be written, or undefined when all were. Other failures are retried like the
   * database's; a storage error is not, since it fails the same way until someone frees space.
   */
  private async writeImages(images: { image: CheckedImage; index: number }[]): Promise<Map<number, GwError> | undefined> {
    const files = new Map<string, { image: CheckedImage; indices: number[] }>();
    for (const { image, index } of images) {
      const f = files.get(image.stored);
      if (f) f.indices.push(index);
      else files.set(image.stored, { image, indices: [index] });
    }
    const failed = new Map<number, GwError>();
    await this.retrying(`Writing ${files.size} images`, () => {
      failed.clear();
      return Promise.all(
        [...files.values()].map(({ image, indices }) =>
          storeImage(this.deps.dataDir, image).catch((err: unknown) => {
            if (!(err instanceof GwError) || err.code !== 'GW_INGEST_STORAGE') throw err;
            for (const i of indices) failed.set(i, err);
          }),
        ),
      );
    });
    if (!failed.size) {
      if (this.imagesFailing) this.deps.log.info({ failedForMs: Date.now() - this.imagesFailing.since }, 'device images can be stored again');
      this.imagesFailing = null;
      return undefined;
    }
    const first = failed.values().next().value!;
    if (!this.imagesFailing) this.deps.log.warn({ err: first }, 'device images cannot be stored: refusing the events that carry them until there is space');
    // /healthz is public: it names the errno and the folder under DATA_DIR, not the server's paths
    // (the log and the device's 507 carry the full message).
    const errno = (first.details as { errno?: string } | undefined)?.errno ?? 'unknown';
    this.imagesFailing = { since: this.imagesFailing?.since ?? Date.now(), error: `${errno}: device images cannot be written under DATA_DIR/images` };
    return failed;
  }

  /**
   * Refuses every submission with an input whose image could not be written (its transport
   * answers 507, or leaves the message unacknowledged, and the device or broker resends it) and
   * returns them. Their other inputs may still be stored by the caller: a resend then finds them
   * as duplicates.
   */
  private refuseUnstorable(items: Item[], failed: Map<number, GwError>): Set<Submission> {
    const refused = new Set<Submission>();
    for (const [index, err] of failed) {
      const { sub } = items[index]!;
      if (refused.has(sub) || sub.settled) continue;
      refused.add(sub);
      sub.settled = true;
      ingestSubmitRefused.inc({ reason: 'storage' });
      sub.reject(err);
    }
    // Debug, not error: while the disk stays full every camera batch lands here; the start and the
    // end of the failure are logged once each (writeImages) and the metric counts the refusals.
    this.deps.log.debug({ events: failed.size, submissions: refused.size }, failed.values().next().value!.message);
    return refused;
  }

  /**
   * Runs a pure decode step for one input. Should it throw (a bug, or an input that defeats a
   * library), the input becomes a GW_INGEST_DECODE_FAILED dead letter: one poison message must
   * never fail its whole batch and come back forever through redelivery.
   */
  private isolate<T>(input: RawInput, step: () => T | { ok: false; dead: DeadLetter }): T | { ok: false; dead: DeadLetter } {
    try {
      return step();
    } catch (err) {
      this.deps.log.error({ err, transport: input.transport, topic: input.topic }, 'decoding a device input failed unexpectedly');
      return { ok: false, dead: deadLetter(input, 'GW_INGEST_DECODE_FAILED', `decoding failed unexpectedly: ${(err as Error).message}`) };
    }
  }

  /**
   * Stores a batch. When the database refuses it for its content (not for being down), the
   * batch is split in halves until the offending event is alone; that event becomes a
   * GW_INGEST_STORE_REJECTED dead letter, so one bad row never blocks or loses the others.
   */
  private async storeIsolating(
    batchId: string,
    events: (ReceivedEvent & { index: number })[],
    dead: SequencedDeadLetter[],
    items: Item[],
  ): Promise<{ stored: Set<string>; refused: Map<number, SequencedDeadLetter> }> {
    const refused = new Map<number, SequencedDeadLetter>();
    const store = async (evs: typeof events, dls: SequencedDeadLetter[]): Promise<Set<string>> => {
      try {
        return await this.retrying(`Storing a batch of ${evs.length} events and ${dls.length} dead letters`, () =>
          storeBatch(this.deps.pool, batchId, evs, dls),
        );
      } catch (err) {
        if (!(err instanceof pg.DatabaseError) || isTransientDbError(err)) throw err;
        if (evs.length === 0) throw err;
        if (evs.length === 1) {
          const { index, event } = evs[0]!;
          const letter: DeadLetter = deadLetter(items[index]!.input, 'GW_INGEST_STORE_REJECTED', `the database refused event ${event.eventId}: ${err.message}`, event.deviceId);
          refused.set(index, { seq: index, letter });
          return store([], [...dls, { seq: index, letter }]);
        }
        const half = Math.ceil(evs.length / 2);
        const a = await store(evs.slice(0, half), dls);
        const b = await store(evs.slice(half), []);
        return new Set([...a, ...b]);
      }
    };
    return { stored: await store(events, dead), refused };
  }

  /**
   * Retries transient failures (db/transient.ts) with doubling pauses for up to retryForMs, and
   * for at most CLOSING_RETRY_MS once closing; then throws GW_INGEST_UNAVAILABLE.
   */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    const failed = (err: unknown) => {
      if (this.failingSince === null) {
        this.failingSince = Date.now();
        this.deps.log.warn({ err }, `${what}: storage failed; retrying with back-off`);
      }
      this.lastError = (err as Error).message;
    };
    let r: T;
    try {
      r = await retry(fn, {
        policy: { baseMs: this.opts.retryBaseMs, maxMs: this.opts.retryMaxMs, giveUpAfterMs: this.opts.retryForMs },
        retryable: isTransientDbError,
        signal: this.closingDeadline.signal,
        onRetry: (err) => {
          ingestStoreRetries.inc();
          failed(err);
        },
      });
    } catch (err) {
      if (!isTransientDbError(err)) throw err;
      failed(err);
      throw new GwError('GW_INGEST_UNAVAILABLE', `${what}: the database kept failing for ${Date.now() - start} ms (${this.lastError})`, undefined, { cause: err });
    }
    if (this.failingSince !== null) {
      this.deps.log.info({ outageMs: Date.now() - this.failingSince }, 'ingest storage is back');
      this.failingSince = null;
      this.lastError = null;
    }
    return r;
  }
}
