import type pg from 'pg';
import type { Logger } from '../../core/logger.js';
import type { Transport } from '../../ingest/transport.js';
import { KafkaTransport } from '../../ingest/transports/kafka.js';
import { EmbeddedMqttTransport } from '../../ingest/transports/mqtt-broker.js';
import { ExternalMqttTransport } from '../../ingest/transports/mqtt-client.js';
import type { HealthRegistry } from '../../core/health.js';
import type { DeliveryTarget } from './delivery-target.js';
import { OutboundDispatcher } from './dispatcher.js';
import { KafkaTarget } from './kafka-target.js';
import { MqttTarget } from './mqtt-target.js';

/**
 * Starts the outbound dispatcher beside the running transports: clue events go to the broker
 * the MQTT transport uses (the embedded one, or the MQTT_URL session) and, when the Kafka
 * transport runs, to `clue-events` on the same cluster (KAFKA_BROKERS, or the KAFKA_MOCK
 * cluster's address). Webhooks need nothing here: they are rows in the database. Pushed onto
 * `stops` after the transports, so (stops running in reverse) the dispatcher stops first.
 */
export async function startOutbound(deps: {
  pool: pg.Pool;
  log: Logger;
  transports: readonly Transport[];
  health: HealthRegistry;
  stops: (() => Promise<void>)[];
}): Promise<OutboundDispatcher> {
  const targets: Partial<Record<'mqtt' | 'kafka', DeliveryTarget>> = {};
  for (const t of deps.transports) {
    if (t instanceof EmbeddedMqttTransport || t instanceof ExternalMqttTransport) targets.mqtt = new MqttTarget((topic, payload) => t.publish(topic, payload));
    if (t instanceof KafkaTransport && t.bootstrapServers) {
      const kafka = await KafkaTarget.connect(t.bootstrapServers, deps.log);
      deps.stops.push(() => kafka.close());
      targets.kafka = kafka;
    }
  }
  const dispatcher = new OutboundDispatcher({ pool: deps.pool, log: deps.log, targets });
  deps.health.register('outbound', () => dispatcher.health());
  await dispatcher.start();
  deps.stops.push(() => dispatcher.stop());
  return dispatcher;
}
