import os from 'node:os';
import Kafka from 'node-rdkafka';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { DeliveryResult, DeliveryTarget } from './delivery-target.js';
import { settleInOrder } from './delivery-target.js';
import { clueEventMessage, type ClueEvent } from '../clues/clue-event.js';

/** Outbound clue events topic (docs/DESIGN.md section 8); the key is the clue code. */
export const CLUE_EVENTS_TOPIC = 'clue-events';

/**
 * Produces clue events to `clue-events`, keyed by clue code so one clue's events stay in one
 * partition, in order. The producer is idempotent: librdkafka's retries neither duplicate nor
 * reorder. An event counts as delivered only when its delivery report says the broker has it.
 */
export class KafkaTarget implements DeliveryTarget {
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextOpaque = 0;

  private constructor(private readonly producer: Kafka.Producer) {
    producer.on('delivery-report', (err, report) => {
      const waiter = this.waiting.get(report.opaque as number);
      if (!waiter) return;
      this.waiting.delete(report.opaque as number);
      if (err) waiter.reject(new GwError('GW_OUTBOUND_KAFKA', `Producing to ${CLUE_EVENTS_TOPIC}: ${err.message}`));
      else waiter.resolve();
    });
  }

  /** Connects a producer to `bootstrap` (KAFKA_BROKERS, or the mock cluster's address). */
  static async connect(bootstrap: string, log: Logger): Promise<KafkaTarget> {
    const producer = new Kafka.Producer({
      'client.id': `gridwatch-outbound-${os.hostname()}-${process.pid}`,
      'metadata.broker.list': bootstrap,
      'enable.idempotence': true,
      dr_cb: true,
      'linger.ms': 5,
    }, {
      // A report (success or failure) within this bound, so a batch never waits forever.
      'message.timeout.ms': 30_000,
    });
    producer.on('event.error', (err) => log.warn({ err: err.message }, 'kafka clue-events producer error'));
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: 10_000 }, (err) =>
        err ? reject(new GwError('GW_OUTBOUND_KAFKA', `Connecting the clue-events producer to ${bootstrap}: ${err.message}`, undefined, { cause: err })) : resolve(),
      ),
    );
    producer.setPollInterval(20);
    return new KafkaTarget(producer);
  }

  /** Produces the batch and waits for every delivery report; done up to the first failure. */
  async deliver(events: readonly ClueEvent[]): Promise<DeliveryResult> {
    return settleInOrder(events.map((e) => this.produce(e)));
  }

  /** Flushes what is queued and disconnects. */
  async close(): Promise<void> {
    if (!this.producer.isConnected()) return;
    await new Promise<void>((resolve) => this.producer.flush(5000, () => resolve()));
    await new Promise<void>((resolve) => this.producer.disconnect(() => resolve()));
  }

  private produce(e: ClueEvent): Promise<void> {
    const opaque = this.nextOpaque++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(opaque, { resolve, reject });
      try {
        this.producer.produce(CLUE_EVENTS_TOPIC, null, Buffer.from(JSON.stringify(clueEventMessage(e))), e.clueCode, Date.now(), opaque);
      } catch (err) {
        this.waiting.delete(opaque);
        reject(new GwError('GW_OUTBOUND_KAFKA', `Producing event ${e.id} of clue ${e.clueCode} to ${CLUE_EVENTS_TOPIC}: ${(err as Error).message}`));
      }
    });
  }
}
