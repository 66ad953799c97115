import os from 'node:os';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { IngestSink, RawInput, Transport, TransportHealth } from '../transport.js';
import { mqttUnacknowledged } from './mqtt-metrics.js';

/** Several app instances split the device topics through this shared subscription. */
export const SHARED_SUBSCRIPTION = '$share/gridwatch/devices/+/+/events';

export interface ExternalMqttOptions {
  /** MQTT_URL, e.g. mqtt://gridwatch:secret@mosquitto:1883 (credentials are the app's own). */
  url: string;
  log: Logger;
  /**
   * The session's identity at the broker. It must stay the same across restarts of this
   * instance (so its persistent session, with messages queued while it was away, is resumed)
   * and differ between instances. Default: gridwatch-<hostname>.
   */
  clientId?: string;
  /** MQTT 5 receive maximum: unacknowledged messages the broker may have in flight to us. */
  receiveMaximum?: number;
  /** How long start() waits for the first CONNACK. */
  connectTimeoutMs?: number;
}

/** How long the broker keeps our session (and queues for it) while we are away: 7 days. */
const SESSION_EXPIRY_S = 7 * 24 * 3600;

/** The device id in `devices/{kind}/{deviceId}/events`; the broker's ACL vouches for it. */
function deviceFromTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  return parts.length === 4 && parts[0] === 'devices' && parts[3] === 'events' ? parts[2] : undefined;
}

/** Passed to mqtt.js's handleMessage callback so it skips its own immediate PUBACK (see below). */
const DEFERRED_ACK = new Error('PUBACK deferred until the message is stored');

/**
 * Consumes device events from an external broker (MQTT_URL) as a persistent MQTT 5 session
 * (clean start off, 7-day session expiry, fixed client id) on a shared subscription, QoS 1.
 *
 * mqtt.js sends a PUBACK as soon as `handleMessage` calls back, and handles messages one at a
 * time, which would allow one store round trip per message. Instead each message is handed to
 * the sink at once and the callback is given an error, which makes mqtt.js skip its PUBACK and
 * move on; the PUBACK is written here once the sink resolved, on the same connection the message
 * came in on. The broker's in-flight window (our receive maximum) bounds what is outstanding.
 * If storing fails, the connection is dropped: the broker redelivers every unacknowledged
 * message when the session resumes, and idempotency keys make the repeats duplicates.
 */
export class ExternalMqttTransport implements Transport {
  readonly name = 'mqtt' as const;
  private client?: MqttClient;
  private sink?: IngestSink;
  /** Bumped on every CONNACK: PUBACKs are only valid on the connection that received the message. */
  private connection = 0;
  private stopping = false;
  private subscribed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly clientId: string;
  private readonly safeUrl: string;
  /** Messages being stored at once: the receive maximum we announce. */
  private readonly window: number;

  constructor(private readonly opts: ExternalMqttOptions) {
    this.clientId = opts.clientId ?? `gridwatch-${os.hostname()}`;
    this.window = opts.receiveMaximum ?? 1000;
    const u = new URL(opts.url);
    if (u.password) u.password = '***';
    this.safeUrl = u.toString();
  }

  /** Connects with a persistent session and subscribes; fails with GW_MQTT_CONNECT when the broker refuses or is unreachable. */
  async start(sink: IngestSink): Promise<void> {
    this.sink = sink;
    const { log } = this.opts;
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    const client = mqtt.connect(this.opts.url, {
      clientId: this.clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S, receiveMaximum: this.window },
      // Short: after a broker restart, messages published before we re-subscribe are dropped
      // by Mosquitto (see subscribe()), so the sooner we are back the better.
      reconnectPeriod: 250,
      connectTimeout: timeoutMs,
      // We subscribe on every CONNACK ourselves (see subscribe()).
      resubscribe: false,
    });
    client.handleMessage = (packet, callback) => this.onMessage(client, packet, callback);
    let first: Promise<void> | undefined;
    client.on('connect', (connack) => {
      this.connection++;
      log.info({ url: this.safeUrl, clientId: this.clientId, sessionPresent: connack.sessionPresent }, 'connected to MQTT broker');
      const subscribed = this.subscribe(client);
      if (!first) first = subscribed;
      else
        subscribed.catch((err: unknown) => {
          log.error({ err }, 'mqtt re-subscription failed; reconnecting');
          client.stream.destroy();
        });
    });
    client.on('error', (err) => log.warn({ err: err.message, url: this.safeUrl }, 'mqtt client error'));
    client.on('offline', () => log.warn({ url: this.safeUrl }, 'mqtt broker unreachable; reconnecting'));
    this.client = client;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no CONNACK within ${timeoutMs} ms`)), timeoutMs);
        client.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        client.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      await first;
    } catch (err) {
      await client.endAsync(true).catch(() => undefined);
      this.client = undefined;
      throw new GwError(
        'GW_MQTT_CONNECT',
        `Connecting to MQTT_URL=${this.safeUrl} as ${this.clientId} and subscribing to ${SHARED_SUBSCRIPTION}: ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
    log.info({ url: this.safeUrl, clientId: this.clientId, subscription: SHARED_SUBSCRIPTION }, 'consuming device events from external MQTT broker');
  }

  /** Stops taking messages, lets in-flight stores finish (their PUBACKs go out), then disconnects keeping the session. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
    // A plain disconnect keeps the session: the broker queues for us until we come back.
    await this.client?.endAsync().catch(() => undefined);
  }

  /**
   * Publishes a message of the service's own (outbound clue events) at QoS 1 on this session;
   * resolves on the broker's PUBACK. While reconnecting, mqtt.js queues it and sends it after.
   */
  async publish(topic: string, payload: string): Promise<void> {
    if (!this.client || this.stopping) throw new GwError('GW_OUTBOUND_MQTT', `Publishing to ${topic} at ${this.safeUrl}: the MQTT client is not running`);
    await this.client.publishAsync(topic, payload, { qos: 1 }).catch((err: Error) => {
      throw new GwError('GW_OUTBOUND_MQTT', `Publishing to ${topic} at ${this.safeUrl}: ${err.message}`);
    });
  }

  /** For /healthz: broker URL (without password), client id, and ok only while connected and subscribed. */
  health(): TransportHealth {
    const detail = { mode: 'external', url: this.safeUrl, clientId: this.clientId, subscribed: this.subscribed, inFlight: this.inFlight.size };
    if (this.stopping) return { status: 'off', detail };
    if (!this.client) return { status: 'starting', detail };
    return { status: this.client.connected && this.subscribed ? 'ok' : 'down', detail };
  }

  /**
   * Subscribes on every CONNACK, even when the broker says the session is present: Mosquitto
   * 2.0 restores a persistent session after a restart but not its shared subscriptions (seen
   * in test/ingest/mqtt-mosquitto.test.ts), so relying on the session would leave us deaf.
   * Re-subscribing to the same filter only replaces the existing subscription.
   */
  private async subscribe(client: MqttClient): Promise<void> {
    this.subscribed = false;
    const granted = await client.subscribeAsync(SHARED_SUBSCRIPTION, { qos: 1 });
    const qos = granted[0]?.qos;
    if (qos !== 1) {
      throw new GwError('GW_MQTT_CONNECT', `Subscribing to ${SHARED_SUBSCRIPTION} at ${this.safeUrl}: the broker granted QoS ${qos}, not 1; check its ACL lets this user read devices/#`);
    }
    this.subscribed = true;
  }

  private onMessage(client: MqttClient, packet: IPublishPacket, callback: (err?: Error) => void): void {
    if (this.stopping || !this.sink) {
      // Unacknowledged: the broker redelivers it to this session or, shared, to another instance.
      callback(DEFERRED_ACK);
      return;
    }
    const connection = this.connection;
    const input: RawInput = {
      transport: 'mqtt',
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      topic: packet.topic,
      authenticatedDeviceId: deviceFromTopic(packet.topic),
      receivedAt: Date.now(),
    };
    const stored = this.sink.submit([input]);
    this.inFlight.add(stored);
    stored.then(
      () => {
        this.inFlight.delete(stored);
        if (packet.qos === 0 || connection !== this.connection || !client.connected) return;
        // mqtt.js has no public API for a deferred PUBACK; _sendPacket is what its own handler uses.
        (client as unknown as { _sendPacket(p: object): void })._sendPacket({ cmd: 'puback', messageId: packet.messageId });
      },
      (err: unknown) => {
        this.inFlight.delete(stored);
        mqttUnacknowledged.inc({ mode: 'external' });
        this.opts.log.warn({ err, topic: packet.topic }, 'mqtt message not stored; reconnecting so the broker redelivers it');
        // The broker resends unacknowledged messages only when the session resumes.
        if (connection === this.connection && client.connected && !this.stopping) client.stream.destroy();
      },
    );
    // QoS 0 has no acknowledgement; for QoS 1 the error makes mqtt.js skip its immediate PUBACK.
    const next = () => callback(packet.qos === 0 ? undefined : DEFERRED_ACK);
    // The broker's window bounds QoS 1, not QoS 0: past a full window, read nothing more (TCP
    // back-pressure) until a store settles.
    if (this.inFlight.size >= this.window) void Promise.race(this.inFlight).finally(next);
    else next();
  }
}
