import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { DeviceAuthenticator, IngestSink, Transport, TransportHealth } from '../transport.js';
import { KafkaTransport } from './kafka.js';
import { EmbeddedMqttTransport, type SubscriberAuthenticator } from './mqtt-broker.js';
import { ExternalMqttTransport } from './mqtt-client.js';

/**
 * Starts the MQTT transport (the embedded aedes broker on MQTT_PORT, or a persistent session
 * at MQTT_URL) and, with KAFKA_BROKERS or KAFKA_MOCK=1, the Kafka transport; registers both
 * in /healthz as `mqtt` and `kafka`. Each transport's stop is pushed onto `stops` as soon as
 * it has started, so a later start-up failure still stops it, and so (stops running in
 * reverse) they stop taking input before the sink they feed drains.
 */
export async function startBrokerTransports(
  config: Config,
  deps: {
    sink: IngestSink;
    authenticator: DeviceAuthenticator;
    /** The server's HealthRegistry (structurally: ingest does not import server code). */
    health: { register(name: string, check: () => TransportHealth): void };
    stops: (() => Promise<void>)[];
    log: Logger;
    /** Who may subscribe to clue events on the embedded broker (outbound). */
    subscribers?: SubscriberAuthenticator;
  },
): Promise<Transport[]> {
  const { health, stops } = deps;
  const started: Transport[] = [];
  const mqttLog = deps.log.child({ transport: 'mqtt' });
  const mqtt: Transport = config.MQTT_URL
    ? new ExternalMqttTransport({ url: config.MQTT_URL, clientId: config.MQTT_CLIENT_ID, log: mqttLog })
    : new EmbeddedMqttTransport({ port: config.MQTT_PORT, host: config.HOST, authenticator: deps.authenticator, subscribers: deps.subscribers, log: mqttLog });
  health.register('mqtt', () => mqtt.health());
  await mqtt.start(deps.sink);
  stops.push(() => mqtt.stop());
  started.push(mqtt);

  if (!config.KAFKA_BROKERS && !config.KAFKA_MOCK) {
    health.register('kafka', () => ({ status: 'off', detail: 'set KAFKA_BROKERS, or KAFKA_MOCK=1 for an in-process mock cluster' }));
    return started;
  }
  const kafka = new KafkaTransport({
    brokers: config.KAFKA_BROKERS,
    mock: config.KAFKA_MOCK,
    log: deps.log.child({ transport: 'kafka' }),
    drainTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  health.register('kafka', () => kafka.health());
  await kafka.start(deps.sink);
  stops.push(() => kafka.stop());
  started.push(kafka);
  return started;
}
