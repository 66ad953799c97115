import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { DeviceAuthenticator, Transport } from '../transport.js';
import { KafkaTransport } from './kafka.js';
import { EmbeddedMqttTransport, type SubscriberAuthenticator } from './mqtt-broker.js';
import { ExternalMqttTransport } from './mqtt-client.js';

/**
 * The broker transports the configuration asks for, built but not started: MQTT (the embedded
 * aedes broker on MQTT_PORT, or a persistent session at MQTT_URL) and, with KAFKA_BROKERS or
 * KAFKA_MOCK=1, Kafka (null otherwise). The start-up list starts them after the sink they feed,
 * so they stop taking input before it drains.
 */
export function brokerTransports(
  config: Config,
  deps: {
    authenticator: DeviceAuthenticator;
    log: Logger;
    /** Who may subscribe to clue events on the embedded broker (outbound). */
    subscribers?: SubscriberAuthenticator;
  },
): { mqtt: Transport; kafka: KafkaTransport | null } {
  const mqttLog = deps.log.child({ transport: 'mqtt' });
  const mqtt: Transport = config.MQTT_URL
    ? new ExternalMqttTransport({ url: config.MQTT_URL, clientId: config.MQTT_CLIENT_ID, log: mqttLog })
    : new EmbeddedMqttTransport({ port: config.MQTT_PORT, host: config.HOST, authenticator: deps.authenticator, subscribers: deps.subscribers, log: mqttLog });
  const kafka =
    config.KAFKA_BROKERS || config.KAFKA_MOCK
      ? new KafkaTransport({ brokers: config.KAFKA_BROKERS, mock: config.KAFKA_MOCK, log: deps.log.child({ transport: 'kafka' }), drainTimeoutMs: config.SHUTDOWN_TIMEOUT_MS })
      : null;
  return { mqtt, kafka };
}
