import crypto from 'node:crypto';
import os from 'node:os';
import Kafka from 'node-rdkafka';
import type { KafkaConsumer, LibrdKafkaError, Message, MessageHeader, Producer } from 'node-rdkafka';
import { Counter, Gauge } from 'prom-client';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { registry } from '../../core/metrics.js';
import { retry, type RetryPolicy } from '../../core/retry.js';
import type { IngestOutcome, IngestSink, RawInput, Transport, TransportHealth } from '../transport.js';

/** Topic names and consumer group fixed by the contract (docs/DESIGN.md section 8). */
export const KAFKA_TOPIC = 'device-events';
export const KAFKA_DLQ_TOPIC = 'device-events.dlq';
export const KAFKA_GROUP = 'gridwatch';

/**
 * The largest DLQ copy (key, value and headers) by default: librdkafka's own message.max.bytes
 * default, under Kafka's default topic limit (1 MiB). Larger poison messages are copied truncated.
 */
const DLQ_MAX_MESSAGE_BYTES = 1_000_000;
/** The most of a poison message's value a truncated DLQ copy keeps. */
export const DLQ_TRUNCATED_VALUE_BYTES = 65_536;
/** How long one DLQ delivery may take (message.timeout.ms) before it counts as failed and is tried again. */
const DLQ_DELIVERY_TIMEOUT_MS = 30_000;
/** What a record and each header add to the bytes of a message, rounded up (librdkafka counts them too). */
const RECORD_OVERHEAD_BYTES = 128;
const HEADER_OVERHEAD_BYTES = 12;
/** librdkafka's code for a message over message.max.bytes, from produce() or from the broker. */
const ERR_MSG_SIZE_TOO_LARGE = 10;

const kafkaLag = new Gauge({
  name: 'gridwatch_kafka_consumer_lag',
  help: 'Messages in device-events not yet stored and committed, per partition',
  labelNames: ['partition'] as const,
  registers: [registry],
});
const kafkaDlq = new Counter({
  name: 'gridwatch_kafka_dlq_total',
  help: 'Poison messages copied to device-events.dlq',
  registers: [registry],
});
const kafkaDlqFailed = new Counter({
  name: 'gridwatch_kafka_dlq_failed_total',
  help: 'Poison messages whose copy to device-events.dlq was given up; each is still a stored dead letter',
  registers: [registry],
});
const kafkaRetries = new Counter({
  name: 'gridwatch_kafka_retries_total',
  help: 'Kafka attempts retried because consuming, storing a batch, or copying its poison messages to the DLQ failed',
  labelNames: ['stage'] as const,
  registers: [registry],
});

type Rejected = Extract<IngestOutcome, { status: 'rejected' }>;

/** One poison message on its way to the DLQ topic; retries produce only the copies not yet acknowledged. */
interface DlqCopy {
  m: Message;
  outcome: Rejected;
  source: string;
  /** Copy only the start of the value, with its size and hash: the whole one was too large. */
  truncate: boolean;
  state: 'pending' | 'delivered' | 'impossible';
  lastError?: Error;
}

/** What the consumer is working on when it has not made progress, for /healthz. */
interface Stall {
  stage: 'consume' | 'store' | 'dlq';
  what: string;
  since: number;
  lastError?: string;
}

export interface KafkaTransportOptions {
  /** KAFKA_BROKERS (host:port,…); ignored when `mock` is set. */
  brokers?: string;
  /** KAFKA_MOCK: start librdkafka's mock cluster in-process and consume from it. */
  mock?: boolean;
  log: Logger;
  /** Most messages handed to the sink at once. */
  batchSize?: number;
  /** How long stop() lets an in-flight batch finish before leaving it uncommitted (it is redelivered). */
  drainTimeoutMs?: number;
  /**
   * Group session timeout (librdkafka default 45 s): how long partitions of a consumer that
   * died stay unassigned. The mock cluster also ignores a clean leave until it expires.
   */
  sessionTimeoutMs?: number;
  /**
   * The largest DLQ copy in bytes (the producer's message.max.bytes); set it to the DLQ topic's
   * max.message.bytes when that is lower. Larger poison messages are copied truncated.
   */
  dlqMaxMessageBytes?: number;
  /** How DLQ copies are retried; once `giveUpAfterMs` passes, the failure is recorded and intake goes on. */
  dlqRetry?: Partial<RetryPolicy>;
  /** How long the consumer may go without progress before /healthz reports it down (default 30 s). */
  stuckAfterMs?: number;
}

const promisify0 = (fn: (cb: (err: LibrdKafkaError | null | undefined) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

/**
 * Consumes `device-events` (key = device id) in consumer group `gridwatch`. Offsets are
 * committed by hand, per partition, only after the sink stored the batch (events and dead
 * letters) and its poison messages were copied to `device-events.dlq`; a crash before that
 * redelivers the batch, and the idempotency key keeps the store exactly-once. A DLQ copy that
 * cannot be made within `dlqRetry` is recorded and given up, so no message blocks intake.
 * With KAFKA_MOCK=1 the transport owns a librdkafka mock cluster (real Kafka protocol,
 * in-process) and publishes its bootstrap address in the log and in /healthz so external
 * clients such as kcat can feed it.
 */
export class KafkaTransport implements Transport {
  readonly name = 'kafka' as const;
  private consumer?: KafkaConsumer;
  private producer?: Producer;
  private bootstrap?: string;
  private loop?: Promise<void>;
  private stopping = false;
  private readonly abort = new AbortController();
  private lastError?: string;
  private stall?: Stall;
  private dlqFailed?: { count: number; last: { source: string; code: string; error: string; at: string } };
  private readonly deliveries = new Map<number, { resolve: () => void; reject: (e: LibrdKafkaError) => void }>();
  private nextOpaque = 0;
  private readonly lag = new Map<number, number>();

  constructor(private readonly opts: KafkaTransportOptions) {}

  /** The bootstrap address consumed from: KAFKA_BROKERS, or the mock cluster's. */
  get bootstrapServers(): string | undefined {
    return this.bootstrap;
  }

  /** Connects the DLQ producer (which owns the mock cluster under KAFKA_MOCK) and the consumer, then starts consuming. */
  async start(sink: IngestSink): Promise<void> {
    const { log } = this.opts;
    const clientId = `gridwatch-${os.hostname()}-${process.pid}`;
    // librdkafka's typings predate test.mock.num.brokers, hence the widened record.
    const producerConf: Kafka.ProducerGlobalConfig & Record<string, unknown> = {
      'client.id': clientId,
      dr_cb: true,
      // The broker keeps each acknowledged copy once, even when librdkafka resends it.
      'enable.idempotence': true,
      'message.max.bytes': this.opts.dlqMaxMessageBytes ?? DLQ_MAX_MESSAGE_BYTES,
      // One delivery attempt ends within this, so a retry never overlaps a copy still in flight.
      'message.timeout.ms': DLQ_DELIVERY_TIMEOUT_MS,
    };
    if (this.opts.mock) producerConf['test.mock.num.brokers'] = 1;
    else if (this.opts.brokers) producerConf['metadata.broker.list'] = this.opts.brokers;
    else throw new GwError('GW_KAFKA_CONNECT', 'Starting the Kafka transport: neither KAFKA_BROKERS nor KAFKA_MOCK=1 is set');
    const producer = new Kafka.Producer(producerConf);
    producer.on('event.error', (err) => log.warn({ err: err.message }, 'kafka producer error'));
    producer.on('delivery-report', (err, report) => {
      const waiter = this.deliveries.get(report.opaque as number);
      if (!waiter) return;
      this.deliveries.delete(report.opaque as number);
      if (err) waiter.reject(err);
      else waiter.resolve();
    });
    const where = this.opts.mock ? 'the librdkafka mock cluster (KAFKA_MOCK=1)' : `KAFKA_BROKERS=${this.opts.brokers}`;
    try {
      await promisify0((cb) => producer.connect({ timeout: 10_000 }, (err) => cb(err)));
    } catch (err) {
      throw new GwError(this.opts.mock ? 'GW_KAFKA_MOCK' : 'GW_KAFKA_CONNECT', `Connecting the Kafka producer to ${where}: ${(err as Error).message}`, undefined, { cause: err });
    }
    producer.setPollInterval(50);
    this.producer = producer;
    if (this.opts.mock) {
      // Asking for the topics' metadata makes the mock cluster create them, so kcat and
      // the consumer find them at once.
      const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
        producer.getMetadata({ topic: KAFKA_TOPIC, timeout: 10_000 }, (err, m) => (err ? reject(err) : resolve(m))),
      ).catch((err: Error) => {
        throw new GwError('GW_KAFKA_MOCK', `Reading the mock cluster's metadata for ${KAFKA_TOPIC}: ${err.message}`, undefined, { cause: err });
      });
      producer.getMetadata({ topic: KAFKA_DLQ_TOPIC, timeout: 10_000 }, () => undefined);
      this.bootstrap = md.brokers.map((b) => `${b.host}:${b.port}`).join(',');
      log.info(
        { bootstrap: this.bootstrap },
        `Kafka mock cluster started at ${this.bootstrap}; feed it with: kcat -P -b ${this.bootstrap} -t ${KAFKA_TOPIC} -K:`,
      );
    } else {
      this.bootstrap = this.opts.brokers;
    }

    const consumer = new Kafka.KafkaConsumer(
      {
        'client.id': clientId,
        'group.id': KAFKA_GROUP,
        'metadata.broker.list': this.bootstrap!,
        // Offsets move only when a batch is stored: see commit() below.
        'enable.auto.commit': false,
        offset_commit_cb: true,
        // EOF markers let a batch return as soon as the partition is drained.
        'enable.partition.eof': true,
        // An idle partition's fetch returns after this long; keeps publish→stored latency low.
        'fetch.wait.max.ms': 50,
        ...(this.opts.sessionTimeoutMs
          ? { 'session.timeout.ms': this.opts.sessionTimeoutMs, 'heartbeat.interval.ms': Math.max(100, Math.floor(this.opts.sessionTimeoutMs / 3)) }
          : {}),
      },
      // A new group starts at the beginning: events produced before the first start count too.
      { 'auto.offset.reset': 'earliest' },
    );
    consumer.on('event.error', (err) => {
      this.lastError = err.message;
      log.warn({ err: err.message }, 'kafka consumer error');
    });
    consumer.on('offset.commit', (err, offsets) => {
      // Typically a rebalance took the partition away; its new owner re-reads from the last commit.
      if (err) this.commitFailed(`Committing offsets ${JSON.stringify(offsets)} of ${KAFKA_TOPIC}: ${err.message}`);
    });
    try {
      await promisify0((cb) => consumer.connect({ timeout: 10_000 }, (err) => cb(err)));
    } catch (err) {
      producer.disconnect();
      throw new GwError('GW_KAFKA_CONNECT', `Connecting the Kafka consumer (group ${KAFKA_GROUP}) to ${where}: ${(err as Error).message}`, undefined, { cause: err });
    }
    consumer.setDefaultConsumeTimeout(200);
    consumer.subscribe([KAFKA_TOPIC]);
    this.consumer = consumer;
    log.info({ bootstrap: this.bootstrap, topic: KAFKA_TOPIC, group: KAFKA_GROUP }, 'kafka consumer started');
    this.loop = this.run(sink);
  }

  /** Stops consuming; a batch still being stored after drainTimeoutMs is left uncommitted and will be redelivered. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    if (this.loop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, this.opts.drainTimeoutMs ?? 10_000)))]);
      clearTimeout(timer);
    }
    const consumer = this.consumer;
    const producer = this.producer;
    if (consumer?.isConnected()) await new Promise<void>((r) => consumer.disconnect(() => r()));
    if (producer?.isConnected()) {
      await new Promise<void>((r) => producer.flush(5000, () => r()));
      await new Promise<void>((r) => producer.disconnect(() => r()));
    }
  }

  /**
   * For /healthz: bootstrap address (the mock cluster's under KAFKA_MOCK), group, topic and lag.
   * Down, with `stuck` saying at which stage, on what and since when, once the consumer has
   * made no progress for `stuckAfterMs`; `dlqFailed` counts DLQ copies given up.
   */
  health(): TransportHealth {
    const detail: Record<string, unknown> = {
      mode: this.opts.mock ? 'mock' : 'brokers',
      bootstrap: this.bootstrap,
      topic: KAFKA_TOPIC,
      group: KAFKA_GROUP,
      lag: [...this.lag.values()].reduce((a, b) => a + b, 0),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.dlqFailed ? { dlqFailed: this.dlqFailed } : {}),
    };
    if (this.stopping) return { status: 'off', detail };
    if (!this.consumer) return { status: 'starting', detail };
    if (!this.consumer.isConnected()) return { status: 'down', detail };
    const stall = this.stall;
    const forMs = stall ? Date.now() - stall.since : 0;
    if (stall && forMs >= (this.opts.stuckAfterMs ?? 30_000)) {
      return { status: 'down', detail: { ...detail, stuck: { ...stall, since: new Date(stall.since).toISOString(), forMs } } };
    }
    return { status: 'ok', detail };
  }

  private async run(sink: IngestSink): Promise<void> {
    const consumer = this.consumer!;
    const batchSize = this.opts.batchSize ?? 1000;
    const what = `consuming from ${KAFKA_TOPIC}`;
    while (!this.stopping) {
      let messages: Message[];
      try {
        // Broker unreachable or rebalancing: librdkafka reconnects by itself; keep asking.
        messages = await retry(() => new Promise<Message[]>((resolve, reject) => consumer.consume(batchSize, (err, m) => (err ? reject(err) : resolve(m)))), {
          policy: { maxMs: 1_000, giveUpAfterMs: Infinity },
          retryable: () => true,
          signal: this.abort.signal,
          onRetry: (err, _attempt, pauseMs) => this.failed('consume', what, err, pauseMs),
        });
      } catch {
        return; // stopped
      }
      if (this.stall?.stage === 'consume') this.stall = undefined;
      if (!messages.length) continue;
      this.refreshLag(messages, 'received');
      const handled = await this.handleBatch(sink, messages);
      if (!handled) return;
      this.commit(messages);
      this.stall = undefined;
    }
  }

  /**
   * Stores a batch, then copies its poison messages to the DLQ; false if stopped first (the
   * batch is then left uncommitted and redelivered). From the moment the batch arrives it is
   * the consumer's stall until it is committed, so /healthz sees a batch that does not move.
   */
  private async handleBatch(sink: IngestSink, messages: Message[]): Promise<boolean> {
    const inputs: RawInput[] = messages.map((m) => ({
      transport: 'kafka',
      payload: m.value ?? Buffer.alloc(0),
      topic: sourceOf(m),
      authenticatedDeviceId: m.key === undefined || m.key === null ? undefined : String(m.key),
      receivedAt: Date.now(),
    }));
    const what = `storing ${messages.length} messages from ${KAFKA_TOPIC}`;
    this.stall = { stage: 'store', what, since: Date.now() };
    let outcomes: IngestOutcome[];
    try {
      outcomes = await retry(() => sink.submit(inputs), {
        // Offsets are positions: a batch that is not stored cannot be skipped without losing it,
        // so storing is retried until it works or the transport stops, and health says so.
        policy: { giveUpAfterMs: Infinity },
        retryable: () => true,
        signal: this.abort.signal,
        onRetry: (err, _attempt, pauseMs) => this.failed('store', what, err, pauseMs),
      });
    } catch {
      return false; // stopped
    }
    const copies: DlqCopy[] = messages.flatMap((m, i) => {
      const o = outcomes[i];
      return o?.status === 'rejected' ? [{ m, outcome: o, source: sourceOf(m), truncate: false, state: 'pending' as const }] : [];
    });
    if (!copies.length) return true;
    return this.copyToDlq(copies);
  }

  /**
   * Copies poison messages (already stored as dead letters) to the DLQ topic. Each attempt
   * produces only the copies the broker has not acknowledged yet, so a retry never duplicates
   * one. A copy the producer or broker refuses as too large is sent truncated next time; one
   * that does not fit even then, and any still failing after `dlqRetry`, is given up: logged,
   * counted in gridwatch_kafka_dlq_failed_total and shown in /healthz, and the batch is
   * committed all the same. False only if stopped first.
   */
  private async copyToDlq(copies: DlqCopy[]): Promise<boolean> {
    const what = `copying ${copies.length} poison messages to ${KAFKA_DLQ_TOPIC}`;
    if (this.stall) Object.assign(this.stall, { stage: 'dlq', what });
    const pending = () => copies.filter((c) => c.state === 'pending');
    try {
      await retry(
        async () => {
          const todo = pending();
          const results = await Promise.allSettled(todo.map((c) => this.produceDlq(c)));
          results.forEach((r, i) => {
            const c = todo[i]!;
            if (r.status === 'fulfilled') {
              c.state = 'delivered';
              kafkaDlq.inc();
              return;
            }
            c.lastError = r.reason as Error;
            if (isTooLarge(r.reason)) {
              if (c.truncate) c.state = 'impossible';
              else c.truncate = true;
            }
          });
          const failed = copies.filter((c) => c.state !== 'delivered');
          if (failed.length) {
            throw new GwError('GW_KAFKA_DLQ', `${failed.length} of ${copies.length} not acknowledged; ${failed[0]!.lastError!.message}`);
          }
        },
        {
          policy: this.opts.dlqRetry,
          retryable: () => pending().length > 0,
          signal: this.abort.signal,
          onRetry: (err, _attempt, pauseMs) => this.failed('dlq', what, err, pauseMs),
        },
      );
    } catch (err) {
      if (this.abort.signal.aborted) return false;
      this.giveUpDlq(copies.filter((c) => c.state !== 'delivered'), err as Error);
    }
    return true;
  }

  /** Records DLQ copies given up: each message is still a stored dead letter, so intake goes on. */
  private giveUpDlq(failed: DlqCopy[], err: Error): void {
    kafkaDlqFailed.inc(failed.length);
    const at = new Date().toISOString();
    for (const c of failed) {
      const error = (c.lastError ?? err).message;
      this.opts.log.error(
        { source: c.source, code: c.outcome.code, err: error },
        `kafka: gave up copying ${c.source} to ${KAFKA_DLQ_TOPIC}; it is kept only as a dead letter`,
      );
      this.dlqFailed = { count: (this.dlqFailed?.count ?? 0) + 1, last: { source: c.source, code: c.outcome.code, error, at } };
    }
  }

  /** Counts and logs a failed attempt and keeps it as the consumer's stall, for /healthz. */
  private failed(stage: Stall['stage'], what: string, err: unknown, pauseMs: number): void {
    kafkaRetries.inc({ stage });
    const message = `${what}: ${(err as Error).message}`;
    this.lastError = message;
    this.stall = { stage, what, since: this.stall?.since ?? Date.now(), lastError: message };
    this.opts.log.warn({ err }, `kafka: ${what} failed; retrying in ${pauseMs} ms (nothing is committed meanwhile)`);
  }

  private commitFailed(message: string): void {
    const e = new GwError('GW_KAFKA_COMMIT', message);
    this.lastError = e.message;
    this.opts.log.warn({ err: e }, 'kafka commit failed; those messages will be redelivered');
  }

  /**
   * Produces one DLQ copy and resolves once the broker acknowledged it. The copy keeps the
   * key, value and headers and adds the reason; a truncated copy keeps the key and the first
   * bytes of the value that fit (at most DLQ_TRUNCATED_VALUE_BYTES), drops the original
   * headers and says the value's size and SHA-256.
   */
  private produceDlq(c: DlqCopy): Promise<void> {
    const { m, outcome, source } = c;
    const value = m.value ?? Buffer.alloc(0);
    const key = m.key ?? null;
    const ours: MessageHeader[] = [{ 'gridwatch-error-code': outcome.code }, { 'gridwatch-error-reason': outcome.reason }, { 'gridwatch-source': source }];
    let headers = [...ours, ...(m.headers ?? [])];
    let payload = value;
    if (c.truncate) {
      headers = [
        ...ours,
        { 'gridwatch-truncated': 'true' },
        { 'gridwatch-original-bytes': String(value.length) },
        { 'gridwatch-original-sha256': crypto.createHash('sha256').update(value).digest('hex') },
      ];
      const maxBytes = this.opts.dlqMaxMessageBytes ?? DLQ_MAX_MESSAGE_BYTES;
      const fixed = RECORD_OVERHEAD_BYTES + (key === null ? 0 : Buffer.byteLength(key)) + headersBytes(headers);
      if (fixed > maxBytes) {
        return Promise.reject(
          new GwError('GW_KAFKA_DLQ_TOO_LARGE', `Copying ${source} to ${KAFKA_DLQ_TOPIC} truncated: its key and headers alone take ${fixed} bytes, more than the ${maxBytes} allowed`),
        );
      }
      payload = value.subarray(0, Math.min(DLQ_TRUNCATED_VALUE_BYTES, maxBytes - fixed));
    }
    const opaque = this.nextOpaque++;
    const failure = (err: LibrdKafkaError) =>
      new GwError('GW_KAFKA_DLQ', `Producing ${source} to ${KAFKA_DLQ_TOPIC}${c.truncate ? ' truncated' : ''}: ${err.message}`, { kafkaCode: err.code });
    return new Promise<void>((resolve, reject) => {
      this.deliveries.set(opaque, { resolve, reject: (err) => reject(failure(err)) });
      try {
        this.producer!.produce(KAFKA_DLQ_TOPIC, null, payload, key, Date.now(), opaque, headers);
      } catch (err) {
        this.deliveries.delete(opaque);
        reject(failure(err as LibrdKafkaError));
      }
    });
  }

  /**
   * Commits, per partition, the offset after the last stored message, and refreshes the lag
   * gauge. The commit is asynchronous (a synchronous one would block the event loop for a
   * broker round trip); a failed one is logged from offset_commit_cb and only means those
   * messages are redelivered, where the idempotency key turns them into duplicates.
   */
  private commit(messages: Message[]): void {
    const next = new Map<number, number>();
    for (const m of messages) next.set(m.partition, Math.max(next.get(m.partition) ?? 0, m.offset + 1));
    const consumer = this.consumer!;
    try {
      consumer.commit([...next].map(([partition, offset]) => ({ topic: KAFKA_TOPIC, partition, offset })));
    } catch (err) {
      this.commitFailed(`Committing offsets ${JSON.stringify([...next])} of ${KAFKA_TOPIC}: ${(err as Error).message}`);
    }
    this.refreshLag(messages, 'committed');
  }

  /**
   * Sets the lag gauge per partition: messages after the last committed one. A batch just
   * received (not yet committed) counts in full, so a consumer stuck on it shows its lag.
   */
  private refreshLag(messages: Message[], stage: 'received' | 'committed'): void {
    const position = new Map<number, number>();
    for (const m of messages) {
      const p = stage === 'received' ? m.offset : m.offset + 1;
      const cur = position.get(m.partition);
      position.set(m.partition, cur === undefined ? p : stage === 'received' ? Math.min(cur, p) : Math.max(cur, p));
    }
    for (const [partition, offset] of position) {
      try {
        const { highOffset } = this.consumer!.getWatermarkOffsets(KAFKA_TOPIC, partition);
        const lag = Math.max(0, highOffset - offset);
        this.lag.set(partition, lag);
        kafkaLag.set({ partition: String(partition) }, lag);
      } catch {
        // Watermarks are cached from fetches; none yet for this partition is not worth a log line.
      }
    }
  }
}

/** Where a message came from, as `topic/partition@offset`. */
function sourceOf(m: Message): string {
  return `${m.topic}/${m.partition}@${m.offset}`;
}

/** Whether a produce failure says the message is over a size limit (the producer's, the broker's, or a truncated copy's). */
function isTooLarge(err: unknown): boolean {
  if (!(err instanceof GwError)) return false;
  return err.code === 'GW_KAFKA_DLQ_TOO_LARGE' || (err.details as { kafkaCode?: number } | undefined)?.kafkaCode === ERR_MSG_SIZE_TOO_LARGE;
}

/** Bytes the headers take in a record, with their length prefixes rounded up. */
function headersBytes(headers: MessageHeader[]): number {
  let n = 0;
  for (const h of headers) for (const [k, v] of Object.entries(h)) n += HEADER_OVERHEAD_BYTES + Buffer.byteLength(k) + Buffer.byteLength(v as string | Buffer);
  return n;
}
