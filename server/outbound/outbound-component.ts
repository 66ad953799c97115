import type pg from 'pg';
import type { Component } from '../../core/components.js';
import type { Logger } from '../../core/logger.js';
import type { Transport } from '../../ingest/transport.js';
import { KafkaTransport } from '../../ingest/transports/kafka.js';
import { EmbeddedMqttTransport } from '../../ingest/transports/mqtt-broker.js';
import { ExternalMqttTransport } from '../../ingest/transports/mqtt-client.js';
import type { DeliveryTarget } from './delivery-target.js';
import { OutboundDispatcher } from './dispatcher.js';
import { KafkaTarget } from './kafka-target.js';
import { MqttTarget } from './mqtt-target.js';

/**
 * The outbound dispatcher as a start-up component, beside the running transports: clue events
 * go to the broker the MQTT transport uses (the embedded one, or the MQTT_URL session) and, when
 * the Kafka transport runs, to `clue-events` on the same cluster (KAFKA_BROKERS, or the
 * KAFKA_MOCK cluster's address). Webhooks need nothing here: they are rows in the database.
 * Listed after the transports, so it stops before them. `pool` and `transports` are read at
 * start, once the components before it have made them.
 */
export function outboundComponent(deps: {
  pool: () => pg.Pool;
  log: Logger;
  transports: () => readonly Transport[];
  /** WEBHOOK_TIMEOUT_MS and WEBHOOK_MAX_ATTEMPTS; the dispatcher's defaults when absent. */
  webhooks?: { timeoutMs: number; maxAttempts: number };
}): Component {
  let dispatcher: OutboundDispatcher | undefined;
  let kafka: KafkaTarget | undefined;
  return {
    name: 'outbound',
    async start() {
      const targets: Partial<Record<'mqtt' | 'kafka', DeliveryTarget>> = {};
      for (const t of deps.transports()) {
        if (t instanceof EmbeddedMqttTransport || t instanceof ExternalMqttTransport) targets.mqtt = new MqttTarget((topic, payload) => t.publish(topic, payload));
        if (t instanceof KafkaTransport && t.bootstrapServers) targets.kafka = kafka = await KafkaTarget.connect(t.bootstrapServers, deps.log);
      }
      const timeoutMs = deps.webhooks?.timeoutMs;
      dispatcher = new OutboundDispatcher({
        pool: deps.pool(),
        log: deps.log,
        targets,
        webhookTimeoutMs: timeoutMs,
        maxAttempts: deps.webhooks?.maxAttempts,
        // A request may run to its timeout after the half-lease budget ends, and progress must be
        // written while the lease holds: the lease is three timeouts, never under the 30 s default.
        leaseMs: timeoutMs === undefined ? undefined : Math.max(30_000, 3 * timeoutMs),
      });
      try {
        await dispatcher.start();
      } catch (err) {
        await kafka?.close();
        throw err;
      }
    },
    async stop() {
      await dispatcher?.stop();
      await kafka?.close();
    },
    health: () => dispatcher!.health(),
  };
}
