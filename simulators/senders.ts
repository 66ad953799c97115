import Kafka from 'node-rdkafka';
import mqtt, { type MqttClient } from 'mqtt';
import type { Outgoing } from './chaos.js';

/**
 * What became of one message, as far as the transport tells: HTTP answers each event's outcome;
 * an MQTT PUBACK and a Kafka delivery report say only "stored" ('acked': the service took it,
 * as an event or a dead letter). 'refused' is a transport error: nothing was acknowledged.
 */
export type SendResult =
  | { status: 'acked' }
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'rejected'; code: string }
  | { status: 'refused'; error: string };

/** Credentials of one device the run speaks for. */
export interface DeviceCredentials {
  id: string;
  kind: Outgoing['kind'];
  token: string;
}

/** A transport adapter: sends one message and resolves with what became of it. */
export interface Sender {
  send(msg: Outgoing): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * MQTT: one connection per device (username = device id, password = token), QoS 1 to
 * `devices/{kind}/{id}/events`. The embedded broker sends PUBACK only once the event is stored.
 */
export async function mqttSender(url: string, devices: readonly DeviceCredentials[], clientPrefix: string): Promise<Sender> {
  const clients = new Map<string, MqttClient>();
  await Promise.all(
    devices.map(async (d) => {
      const c = await mqtt.connectAsync(url, { clientId: `${clientPrefix}-${d.id}`, username: d.id, password: d.token, reconnectPeriod: 1000, connectTimeout: 10_000 });
      clients.set(d.id, c);
    }),
  );
  return {
    async send(msg) {
      const c = clients.get(msg.deviceId);
      if (!c) return { status: 'refused', error: `no MQTT connection for ${msg.deviceId}` };
      try {
        await c.publishAsync(`devices/${msg.kind}/${msg.deviceId}/events`, msg.payload, { qos: 1 });
        return { status: 'acked' };
      } catch (err) {
        return { status: 'refused', error: (err as Error).message };
      }
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
    },
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface Waiting {
  msg: Outgoing;
  resolve(r: SendResult): void;
}

/**
 * HTTP: `POST /api/v1/device-events` with the device's id and token. Messages of one device are
 * gathered for a few milliseconds into one array body (up to 200); the answer holds one outcome per event.
 */
export function httpSender(baseUrl: string, devices: readonly DeviceCredentials[]): Sender {
  const tokens = new Map(devices.map((d) => [d.id, d.token]));
  const queues = new Map<string, Waiting[]>();
  const inFlight = new Set<Promise<void>>();
  const flush = (deviceId: string) => {
    const batch = queues.get(deviceId) ?? [];
    queues.delete(deviceId);
    if (!batch.length) return;
    const p = post(deviceId, batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  async function post(deviceId: string, batch: Waiting[], alone = false): Promise<void> {
    const refuse = (error: string) => batch.forEach((w) => w.resolve({ status: 'refused', error }));
    try {
      const res = await fetch(`${baseUrl}/api/v1/device-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-device-id': deviceId, authorization: `Bearer ${tokens.get(deviceId) ?? 'none'}` },
        // Each payload is the exact text the device sends, malformed ones included.
        body: alone ? batch[0]!.msg.payload : `[${batch.map((w) => w.msg.payload).join(',')}]`,
      });
      const text = await res.text();
      if (res.status !== 200) return refuse(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      const results = (JSON.parse(text) as { results: { status: string; code?: string }[] }).results;
      if (results.length !== batch.length) return refuse(`${results.length} results for ${batch.length} events`);
      batch.forEach((w, i) => {
        const r = results[i]!;
        w.resolve(r.status === 'rejected' ? { status: 'rejected', code: r.code ?? 'unknown' } : { status: r.status as 'accepted' | 'duplicate' });
      });
    } catch (err) {
      refuse((err as Error).message);
    }
  }
  return {
    send(msg) {
      if (!tokens.has(msg.deviceId)) return Promise.resolve({ status: 'refused', error: `no token for ${msg.deviceId}` });
      return new Promise((resolve) => {
        if (!isJson(msg.payload)) {
          // Inside an array, text that is not JSON would spoil the whole body: it goes alone, as sent.
          const p = post(msg.deviceId, [{ msg, resolve }], true).finally(() => inFlight.delete(p));
          inFlight.add(p);
          return;
        }
        let q = queues.get(msg.deviceId);
        if (!q) {
          queues.set(msg.deviceId, (q = []));
          setTimeout(() => flush(msg.deviceId), 5);
        }
        q.push({ msg, resolve });
        if (q.length >= 200) flush(msg.deviceId);
      });
    },
    async close() {
      for (const id of [...queues.keys()]) flush(id);
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * Kafka: a node-rdkafka producer to `device-events`, key = device id (Kafka carries no device
 * login: the key names the device). A message counts as acked on its delivery report.
 */
export async function kafkaSender(brokers: string, topic = 'device-events'): Promise<Sender> {
  const waiting = new Map<number, (r: SendResult) => void>();
  let seq = 0;
  const producer = new Kafka.Producer({
    'metadata.broker.list': brokers,
    dr_cb: true,
    'linger.ms': 5,
    'queue.buffering.max.messages': 1_000_000,
  }, { 'message.timeout.ms': 30_000 });
  producer.on('delivery-report', (err, report) => {
    const id = report.opaque as number;
    const done = waiting.get(id);
    waiting.delete(id);
    done?.(err ? { status: 'refused', error: err.message } : { status: 'acked' });
  });
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(20);
  return {
    send(msg) {
      return new Promise((resolve) => {
        const id = seq++;
        waiting.set(id, resolve);
        try {
          producer.produce(topic, null, Buffer.from(msg.payload), msg.deviceId, Date.now(), id);
        } catch (err) {
          waiting.delete(id);
          resolve({ status: 'refused', error: (err as Error).message });
        }
      });
    },
    async close() {
      await new Promise<void>((r) => producer.flush(30_000, () => r()));
      for (const [, done] of waiting) done({ status: 'refused', error: 'not delivered before the producer closed' });
      await new Promise<void>((r) => producer.disconnect(() => r()));
    },
  };
}
