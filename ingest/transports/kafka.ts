import os from 'node:os';
import Kafka from 'node-rdkafka';
import type { KafkaConsumer, LibrdKafkaError, Message, MessageHeader, Producer } from 'node-rdkafka';
import { Counter, Gauge } from 'prom-client';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { registry } from '../../core/metrics.js';
import type { IngestOutcome, IngestSink, RawInput, Transport, TransportHealth } from '../transport.js';

/** Topic names and consumer group fixed by the contract (DESIGN.md section 8). */
export const KAFKA_TOPIC = 'device-events';
export const KAFKA_DLQ_TOPIC = 'device-events.dlq';
export const KAFKA_GROUP = 'gridwatch';

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
const kafkaRetries = new Counter({
  name: 'gridwatch_kafka_retries_total',
  help: 'Kafka batches retried because storing them, or copying their poison messages to the DLQ, failed',
  labelNames: ['stage'] as const,
  registers: [registry],
});

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
}

const promisify0 = (fn: (cb: (err: LibrdKafkaError | null | undefined) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

/**
 * Consumes `device-events` (key = device id) in consumer group `gridwatch`. Offsets are
 * committed by hand, per partition, only after the sink stored the batch and every poison
 * message in it was copied to `device-events.dlq`; a crash before that redelivers the batch,
 * and the idempotency key keeps the store exactly-once. With KAFKA_MOCK=1 the transport owns
 * a librdkafka mock cluster (real Kafka protocol, in-process) and publishes its bootstrap
 * address in the log and in /healthz so external clients such as kcat can feed it.
 */
export class KafkaTransport implements Transport {
  readonly name = 'kafka' as const;
  private consumer?: KafkaConsumer;
  private producer?: Producer;
  private bootstrap?: string;
  private loop?: Promise<void>;
  private stopping = false;
  private lastError?: string;
  private readonly deliveries = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
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
    const producerConf: Kafka.ProducerGlobalConfig & Record<string, unknown> = { 'client.id': clientId, dr_cb: true };
    if (this.opts.mock) producerConf['test.mock.num.brokers'] = 1;
    else if (this.opts.brokers) producerConf['metadata.broker.list'] = this.opts.brokers;
    else throw new GwError('GW_KAFKA_CONNECT', 'Starting the Kafka transport: neither KAFKA_BROKERS nor KAFKA_MOCK=1 is set');
    const producer = new Kafka.Producer(producerConf);
    producer.on('event.error', (err) => log.warn({ err: err.message }, 'kafka producer error'));
    producer.on('delivery-report', (err, report) => {
      const waiter = this.deliveries.get(report.opaque as number);
      if (!waiter) return;
      this.deliveries.delete(report.opaque as number);
      if (err) waiter.reject(new GwError('GW_KAFKA_DLQ', `Delivering a poison message to ${KAFKA_DLQ_TOPIC}: ${err.message}`));
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

  /** For /healthz: bootstrap address (the mock cluster's under KAFKA_MOCK), group, topic and lag. */
  health(): TransportHealth {
    const detail = {
      mode: this.opts.mock ? 'mock' : 'brokers',
      bootstrap: this.bootstrap,
      topic: KAFKA_TOPIC,
      group: KAFKA_GROUP,
      lag: [...this.lag.values()].reduce((a, b) => a + b, 0),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
    if (this.stopping) return { status: 'off', detail };
    if (!this.consumer) return { status: 'starting', detail };
    return { status: this.consumer.isConnected() ? 'ok' : 'down', detail };
  }

  private async run(sink: IngestSink): Promise<void> {
    const consumer = this.consumer!;
    const batchSize = this.opts.batchSize ?? 1000;
    while (!this.stopping) {
      let messages: Message[];
      try {
        messages = await new Promise<Message[]>((resolve, reject) => consumer.consume(batchSize, (err, m) => (err ? reject(err) : resolve(m))));
      } catch (err) {
        // Broker unreachable or rebalancing: librdkafka reconnects by itself.
        this.lastError = (err as Error).message;
        this.opts.log.warn({ err: this.lastError }, 'kafka consume failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!messages.length) continue;
      const handled = await this.handleBatch(sink, messages);
      if (!handled) return;
      this.commit(messages);
    }
  }

  /** Stores a batch and copies its poison messages to the DLQ, retrying until done; false if stopped first. */
  private async handleBatch(sink: IngestSink, messages: Message[]): Promise<boolean> {
    const inputs: RawInput[] = messages.map((m) => ({
      transport: 'kafka',
      payload: m.value ?? Buffer.alloc(0),
      topic: `${m.topic}/${m.partition}@${m.offset}`,
      authenticatedDeviceId: m.key === undefined || m.key === null ? undefined : String(m.key),
      receivedAt: Date.now(),
    }));
    const outcomes = await this.retry('store', `storing ${messages.length} messages from ${KAFKA_TOPIC}`, () => sink.submit(inputs));
    if (!outcomes) return false;
    const poison = messages.flatMap((m, i) => {
      const o = outcomes[i];
      return o?.status === 'rejected' ? [{ m, o }] : [];
    });
    if (!poison.length) return true;
    const copied = await this.retry('dlq', `copying ${poison.length} poison messages to ${KAFKA_DLQ_TOPIC}`, () =>
      Promise.all(poison.map(({ m, o }) => this.produceDlq(m, o as Extract<IngestOutcome, { status: 'rejected' }>))),
    );
    if (copied) kafkaDlq.inc(poison.length);
    return copied !== undefined;
  }

  /** Calls `fn` until it succeeds, backing off up to 5 s; undefined when the transport stops first. */
  private async retry<T>(stage: 'store' | 'dlq', what: string, fn: () => Promise<T>): Promise<T | undefined> {
    let delay = 100;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        kafkaRetries.inc({ stage });
        this.lastError = `${what}: ${(err as Error).message}`;
        this.opts.log.warn({ err }, `kafka: ${what} failed; not committing, retrying in ${delay} ms`);
        if (this.stopping) return undefined;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private commitFailed(message: string): void {
    const e = new GwError('GW_KAFKA_COMMIT', message);
    this.lastError = e.message;
    this.opts.log.warn({ err: e }, 'kafka commit failed; those messages will be redelivered');
  }

  private produceDlq(m: Message, outcome: Extract<IngestOutcome, { status: 'rejected' }>): Promise<void> {
    const opaque = this.nextOpaque++;
    const headers: MessageHeader[] = [
      { 'gridwatch-error-code': outcome.code },
      { 'gridwatch-error-reason': outcome.reason },
      { 'gridwatch-source': `${m.topic}/${m.partition}@${m.offset}` },
      ...(m.headers ?? []),
    ];
    return new Promise<void>((resolve, reject) => {
      this.deliveries.set(opaque, { resolve, reject });
      try {
        this.producer!.produce(KAFKA_DLQ_TOPIC, null, m.value ?? Buffer.alloc(0), m.key ?? null, Date.now(), opaque, headers);
      } catch (err) {
        this.deliveries.delete(opaque);
        reject(new GwError('GW_KAFKA_DLQ', `Producing ${m.topic}/${m.partition}@${m.offset} to ${KAFKA_DLQ_TOPIC}: ${(err as Error).message}`));
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
    for (const [partition, offset] of next) {
      try {
        const { highOffset } = consumer.getWatermarkOffsets(KAFKA_TOPIC, partition);
        const lag = Math.max(0, highOffset - offset);
        this.lag.set(partition, lag);
        kafkaLag.set({ partition: String(partition) }, lag);
      } catch {
        // Watermarks are cached from fetches; none yet for this partition is not worth a log line.
      }
    }
  }
}
