import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { GwError } from '../../core/errors.js';
import { every, type Periodic } from '../../core/every.js';
import type { Logger } from '../../core/logger.js';
import type { DeviceAuthenticator, DeviceIdentity, IngestSink, Transport, TransportHealth } from '../transport.js';
import { deviceTopic, mqttRefused, mqttUnacknowledged } from './mqtt-metrics.js';

export interface EmbeddedMqttOptions {
  /** MQTT_PORT; 0 picks a free port (tests). */
  port: number;
  /** Interface to listen on (the HTTP server's HOST). */
  host: string;
  authenticator: DeviceAuthenticator;
  log: Logger;
  /** Logins that are not devices and may only subscribe (units' systems reading clue events). */
  subscribers?: SubscriberAuthenticator;
  /** How often connected readers' logins are checked again (token revoked or expired, user disabled); 30 s by default. */
  readerRecheckMs?: number;
}

/**
 * Checks a login that is not a device's and answers which topic filters it may subscribe to,
 * or null to refuse it. Given by the server, which knows users; ingest knows only devices.
 * Asked again periodically for every connected reader: null then closes the connection.
 */
export type SubscriberAuthenticator = (username: string, password: string) => Promise<((topicFilter: string) => boolean) | null>;

/**
 * Readers (subscriber logins) connect with a client id `reader/<username>` or
 * `reader/<username>/<anything>`; devices may use any other. Device ids cannot contain '/', and
 * a device may not use this prefix, so a reader can never take over (or lock out) a device's
 * connection, nor a device a reader's, nor one user another user's session.
 */
export const READER_CLIENT_ID_PREFIX = 'reader/';

/** True when `clientId` is in the readers' namespace of `username`. */
export function isReaderClientIdOf(clientId: string, username: string): boolean {
  const own = `${READER_CLIENT_ID_PREFIX}${username}`;
  return clientId === own || clientId.startsWith(`${own}/`);
}

/** MQTT CONNACK return codes (aedes declares them as an ambient const enum, unusable here). */
const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const NOT_AUTHORIZED = 5;

/** A connected reader: its login, kept to check it again, and the topic filters it may read. */
interface Reader {
  username: string;
  password: string;
  allows: (topicFilter: string) => boolean;
}

/** Largest MQTT packet accepted (as deploy/mosquitto's max_packet_size); events are small JSON. */
export const MAX_PACKET_BYTES = 4 * 1024 * 1024;

/** The slice of mqtt-packet's parser (pinned with aedes 1.2.0) that the size guard hooks into. */
interface PacketParser {
  packet: { length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

function connackError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * The in-process MQTT broker used when MQTT_URL is not set. Devices connect with
 * username = device id and password = device token, and may publish only to
 * `devices/{kind}/{id}/events`. Each accepted publish is stored through the sink *inside*
 * aedes's `authorizePublish` hook: aedes writes the PUBACK only after that hook calls back,
 * so a QoS 1 publish is acknowledged only once it is durably stored. When storage fails the
 * hook calls back with an error, aedes closes the connection without a PUBACK, and the
 * device's client redelivers the message when it reconnects. Readers (`subscribers`) connect
 * under client ids `reader/<username>[/…]`, may only subscribe, and are disconnected when
 * their login ends.
 */
export class EmbeddedMqttTransport implements Transport {
  readonly name = 'mqtt' as const;
  private broker?: Aedes;
  private server?: net.Server;
  private sink?: IngestSink;
  private port?: number;
  private stopping = false;
  private readonly identities = new WeakMap<Client, DeviceIdentity>();
  private readonly readers = new WeakMap<Client, Reader>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readerRecheck?: Periodic;

  constructor(private readonly opts: EmbeddedMqttOptions) {}

  /** Starts aedes and listens on MQTT_PORT; fails with GW_MQTT_PORT_IN_USE when the port is taken. */
  async start(sink: IngestSink): Promise<void> {
    this.sink = sink;
    const broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet.topic, packet.payload, packet, done),
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub.topic, done, sub),
    });
    // A client's protocol errors are its own problem; they must never reach the process.
    broker.on('clientError', (client, err) => this.opts.log.debug({ clientId: client?.id, err: err.message }, 'mqtt client error'));
    broker.on('connectionError', (_client, err) => this.opts.log.debug({ err: err.message }, 'mqtt connection error'));
    const server = net.createServer((socket) => this.guardPacketSize(broker.handle(socket)));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.opts.port, this.opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        throw new GwError(
          'GW_MQTT_PORT_IN_USE',
          `Starting the embedded MQTT broker on ${this.opts.host}:${this.opts.port} (MQTT_PORT): ${code === 'EADDRINUSE' ? 'the port is already in use, perhaps by a system Mosquitto' : 'permission denied'}. ` +
            'Set MQTT_PORT to a free port, or set MQTT_URL to use that broker instead of the embedded one.',
          { port: this.opts.port, host: this.opts.host },
          { cause: err },
        );
      }
      throw err;
    }
    server.on('error', (err) => this.opts.log.error({ err }, 'embedded MQTT listener failed'));
    this.broker = broker;
    this.server = server;
    if (this.opts.subscribers) {
      this.readerRecheck = every('mqtt-reader-recheck', this.opts.readerRecheckMs ?? 30_000, () => this.recheckReaders(), this.opts.log);
    }
    this.port = (server.address() as AddressInfo).port;
    this.opts.log.info({ port: this.port, host: this.opts.host }, 'embedded MQTT broker listening');
  }

  /** The port actually listened on (MQTT_PORT, or the free one picked for 0). */
  get listeningPort(): number | undefined {
    return this.port;
  }

  /** Stops accepting connections and publishes, lets in-flight stores settle, then closes every client. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.readerRecheck?.stop();
    const server = this.server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await Promise.allSettled([...this.inFlight]);
    // Closing the clients also ends their sockets, which lets server.close() complete.
    if (this.broker) await new Promise<void>((resolve) => this.broker!.close(() => resolve()));
    await closed;
  }

  /**
   * Publishes a message of the service's own (outbound clue events) to the subscribers, QoS 1;
   * resolves once aedes has dispatched it. Fails with GW_OUTBOUND_MQTT while stopped.
   */
  publish(topic: string, payload: string): Promise<void> {
    const broker = this.broker;
    if (!broker || this.stopping) return Promise.reject(new GwError('GW_OUTBOUND_MQTT', `Publishing to ${topic}: the embedded broker is not running`));
    return new Promise((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false }, (err) =>
        err ? reject(new GwError('GW_OUTBOUND_MQTT', `Publishing to ${topic}: ${err.message}`)) : resolve(),
      ),
    );
  }

  /**
   * Closes at once every reader connection logged in with `token` (its owner logged out in this
   * process); readers whose login ended otherwise are closed by the periodic re-check.
   */
  revokeReaderToken(token: string): void {
    for (const [client, reader] of this.connectedReaders()) {
      if (reader.password === token) this.closeReader(client, reader, 'its token was revoked (logout)');
    }
  }

  /**
   * Checks every connected reader's login again and closes those that no longer hold: token
   * revoked or expired, user disabled, or a subscription it no longer may read. A check that
   * fails (database down) keeps the connection until the next run.
   */
  async recheckReaders(): Promise<void> {
    const check = this.opts.subscribers;
    if (!check) return;
    for (const [client, reader] of this.connectedReaders()) {
      let allows: Reader['allows'] | null;
      try {
        allows = await check(reader.username, reader.password);
      } catch (err) {
        this.opts.log.warn({ err, clientId: client.id, username: reader.username }, 'mqtt reader re-check failed; trying again on the next run');
        continue;
      }
      // Closed meanwhile (a logout): nothing left to decide.
      if (!this.readers.has(client)) continue;
      const subscribed = Object.keys((client as unknown as { subscriptions: Record<string, unknown> }).subscriptions ?? {});
      if (!allows) this.closeReader(client, reader, 'its login ended (token revoked or expired, or user disabled)');
      else if (subscribed.some((t) => !allows(t))) this.closeReader(client, reader, 'it may no longer read a topic it subscribed to');
      else reader.allows = allows;
    }
  }

  private *connectedReaders(): Generator<[Client, Reader]> {
    const clients = (this.broker as unknown as { clients: Record<string, Client | undefined> } | undefined)?.clients ?? {};
    for (const client of Object.values(clients)) {
      const reader = client && this.readers.get(client);
      if (client && reader) yield [client, reader];
    }
  }

  private closeReader(client: Client, reader: Reader, why: string): void {
    this.readers.delete(client);
    mqttRefused.inc({ reason: 'reader-ended' });
    this.opts.log.info({ clientId: client.id, username: reader.username }, `mqtt reader disconnected: ${why}`);
    client.close();
  }

  /** For /healthz: listening port and connected device count. */
  health(): TransportHealth {
    if (!this.broker) return { status: this.stopping ? 'off' : 'starting', detail: { mode: 'embedded' } };
    if (this.stopping) return { status: 'off', detail: { mode: 'embedded' } };
    return { status: 'ok', detail: { mode: 'embedded', port: this.port, clients: this.broker.connectedClients } };
  }

  /**
   * mqtt-packet buffers a whole packet before parsing it, and the protocol allows 256 MB: a
   * client announcing more than MAX_PACKET_BYTES is cut off as soon as its length is read.
   * aedes has no option for this, so the guard wraps the client's parser state for lengths.
   */
  private guardPacketSize(client: Client): void {
    const parser = (client as unknown as { _parser: PacketParser })._parser;
    const parseLength = parser._parseLength.bind(parser);
    parser._parseLength = () => {
      if (!parseLength()) return false;
      if (parser.packet.length <= MAX_PACKET_BYTES) return true;
      mqttRefused.inc({ reason: 'too-large' });
      this.opts.log.warn({ clientId: client.id, bytes: parser.packet.length }, 'mqtt packet too large: closing the connection');
      parser._emitError(new GwError('GW_MQTT_PACKET_TOO_LARGE', `MQTT packet of ${parser.packet.length} bytes from client ${client.id ?? '(not connected)'}: the limit is ${MAX_PACKET_BYTES}`));
      return false;
    };
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    if (!username || !password) {
      mqttRefused.inc({ reason: 'credentials' });
      this.opts.log.warn({ clientId: client.id, username }, 'mqtt connect refused: no username (device id) or password (device token)');
      done(connackError('username (device id) and password (device token) are required', BAD_USERNAME_OR_PASSWORD), false);
      return;
    }
    const secret = password.toString('utf8');
    const login = client.id.startsWith(READER_CLIENT_ID_PREFIX) ? this.authenticateReader(client, username, secret) : this.authenticateDevice(client, username, secret);
    login.then(
      (refusal) => (refusal ? done(refusal, false) : done(null, true)),
      (err: unknown) => {
        // The registry could not answer (database down): tell the client to come back later.
        this.opts.log.warn({ err, clientId: client.id, username }, 'mqtt connect refused: registry unavailable');
        done(connackError(`checking the login of ${username}: registry unavailable`, SERVER_UNAVAILABLE), false);
      },
    );
  }

  /** A reader login (client id in the readers' namespace): null when accepted, else the CONNACK refusal. */
  private async authenticateReader(client: Client, username: string, token: string): Promise<AuthenticateError | null> {
    if (!isReaderClientIdOf(client.id, username)) {
      mqttRefused.inc({ reason: 'client-id' });
      this.opts.log.warn({ clientId: client.id, username }, 'mqtt connect refused: a reader client id must be reader/<own username>[/…]');
      return connackError(`reader ${username}: client id ${client.id} is not reader/${username} or reader/${username}/…`, IDENTIFIER_REJECTED);
    }
    const allows = await this.opts.subscribers?.(username, token);
    if (!allows) {
      mqttRefused.inc({ reason: 'credentials' });
      this.opts.log.warn({ clientId: client.id, username }, 'mqtt connect refused: unknown reader or invalid token');
      return connackError(`reader ${username}: unknown user or invalid token`, BAD_USERNAME_OR_PASSWORD);
    }
    this.readers.set(client, { username, password: token, allows });
    return null;
  }

  /** A device login (any other client id): null when accepted, else the CONNACK refusal. */
  private async authenticateDevice(client: Client, deviceId: string, token: string): Promise<AuthenticateError | null> {
    const source = (client.conn as unknown as { remoteAddress?: string }).remoteAddress;
    let identity: DeviceIdentity | null;
    try {
      identity = await this.opts.authenticator.authenticate(deviceId, token, source);
    } catch (err) {
      if (!(err instanceof GwError) || err.code !== 'GW_AUTH_THROTTLED') throw err;
      mqttRefused.inc({ reason: 'throttled' });
      this.opts.log.warn({ clientId: client.id, deviceId, source }, `mqtt connect refused: ${err.message}`);
      return connackError(err.message, NOT_AUTHORIZED);
    }
    if (!identity) {
      // A person's login under a device-style client id: say why, so it is not retried as is.
      if (await this.opts.subscribers?.(deviceId, token).catch(() => null)) {
        mqttRefused.inc({ reason: 'client-id' });
        this.opts.log.warn({ clientId: client.id, username: deviceId }, 'mqtt connect refused: a reader must use a client id reader/<username>[/…]');
        return connackError(`reader ${deviceId}: client id ${client.id} is not in the readers' namespace reader/${deviceId}[/…]`, IDENTIFIER_REJECTED);
      }
      mqttRefused.inc({ reason: 'credentials' });
      this.opts.log.warn({ clientId: client.id, deviceId }, 'mqtt connect refused: unknown or disabled device, or wrong token');
      return connackError(`device ${deviceId}: unknown, disabled or wrong token`, BAD_USERNAME_OR_PASSWORD);
    }
    // A client id in use by another device's connection would make aedes drop that one
    // (MQTT's session takeover): one device could then knock another off the air.
    const holder = (this.broker as unknown as { clients: Record<string, Client | undefined> } | undefined)?.clients[client.id];
    const holderId = holder ? this.identities.get(holder)?.id : undefined;
    if (holder && holderId !== identity.id) {
      mqttRefused.inc({ reason: 'client-id' });
      this.opts.log.warn({ clientId: client.id, deviceId: identity.id, holder: holderId }, 'mqtt connect refused: client id in use by another device');
      return connackError(`device ${identity.id}: client id ${client.id} is in use by another device`, IDENTIFIER_REJECTED);
    }
    this.identities.set(client, identity);
    return null;
  }

  private authorizePublish(
    client: Client | null,
    topic: string,
    payload: Buffer | string,
    packet: { retain: boolean },
    done: (error?: Error | null) => void,
  ): void {
    const identity = client ? this.identities.get(client) : undefined;
    if (!identity) {
      // Only a will left by a client of an earlier broker instance gets here: nobody to vouch for it.
      done(new GwError('GW_MQTT_TOPIC_FORBIDDEN', `Publishing to ${topic}: no authenticated device`));
      return;
    }
    const own = deviceTopic(identity.kind, identity.id);
    if (topic !== own) {
      mqttRefused.inc({ reason: 'topic' });
      this.opts.log.warn({ deviceId: identity.id, topic, allowed: own }, 'mqtt publish refused: not the device own topic');
      done(new GwError('GW_MQTT_TOPIC_FORBIDDEN', `Device ${identity.id} publishing to ${topic}: it may publish only to ${own}`));
      return;
    }
    if (this.stopping || !this.sink) {
      done(new GwError('GW_MQTT_NOT_STORED', `Publish from device ${identity.id} on ${topic}: the broker is shutting down`));
      return;
    }
    // Events live in the database; a retained copy in broker memory would only grow.
    packet.retain = false;
    const stored = this.sink.submit([
      {
        transport: 'mqtt',
        payload,
        topic,
        authenticatedDeviceId: identity.id,
        receivedAt: Date.now(),
      },
    ]);
    this.inFlight.add(stored);
    stored.then(
      () => {
        this.inFlight.delete(stored);
        done(null);
      },
      (err: unknown) => {
        this.inFlight.delete(stored);
        mqttUnacknowledged.inc({ mode: 'embedded' });
        this.opts.log.warn({ err, deviceId: identity.id, topic }, 'mqtt publish not stored: closing the connection without PUBACK');
        done(new GwError('GW_MQTT_NOT_STORED', `Storing a publish from device ${identity.id} on ${topic}: ${(err as Error).message}`));
      },
    );
  }

  private authorizeSubscribe<S>(client: Client, topic: string, done: (error: Error | null, subscription?: S | null) => void, sub: S): void {
    if (this.readers.get(client)?.allows(topic)) {
      done(null, sub);
      return;
    }
    // Devices only publish to this broker; any subscription could read other devices' events.
    // Subscriber logins read only the clue topics they were granted (checked above).
    mqttRefused.inc({ reason: 'subscribe' });
    this.opts.log.warn({ deviceId: this.identities.get(client)?.id, topic }, 'mqtt subscribe refused: devices may only publish');
    // A null subscription makes aedes answer SUBACK 0x80 (failure) and keep the connection.
    done(null, null);
  }
}
