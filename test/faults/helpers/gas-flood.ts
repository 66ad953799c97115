/**
 * The gas-sensor flood the SIGKILL fault tests send: readings with stable event ids, published over
 * QoS 1 with a window per device, each counted as delivered only on its PUBACK (as a device does).
 */
import mqtt from 'mqtt';
import { wireEvent } from '../../ingest/mqtt-kafka-support.js';

/** Unacknowledged publishes per device connection. */
const WINDOW = 8;

/** Reading `n` of a device: a gas leak alarm (LEL 32 %) every 20th reading, quiet otherwise. */
export function reading(id: string, n: number): string {
  const e = { ...wireEvent('gas-sensor', id, n), eventId: `${id}-${n}`, position: { lon: 121.55, lat: 29.87, crs: 'wgs84', accuracyM: 5 } };
  return JSON.stringify(n % 20 === 19 ? { ...e, lelPct: 32 } : e);
}

/**
 * Publishes every reading in `todo` to the broker on `port`, recording acknowledged ids in
 * `acked`; stops early once `stop()` is true or the connection closes (the service died).
 * Answers the clients, for the caller to end.
 */
export async function publish(port: number, tokens: Map<string, string>, todo: Map<string, number[]>, acked: Set<string>, stop: () => boolean, tag: string): Promise<mqtt.MqttClient[]> {
  const clients: mqtt.MqttClient[] = [];
  await Promise.all(
    [...tokens].map(async ([id, token]) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: id, password: token, clientId: `fk-${tag}-${id}`, reconnectPeriod: 0, connectTimeout: 30_000 });
      client.on('error', () => undefined);
      // A publish in flight when the service dies never settles: the connection's close ends it.
      const closed = new Promise<boolean>((resolve) => client.once('close', () => resolve(false)));
      clients.push(client);
      const queue = [...(todo.get(id) ?? [])];
      const lane = async () => {
        while (queue.length && !stop()) {
          const n = queue.shift()!;
          const ok = await Promise.race([client.publishAsync(`devices/gas-sensor/${id}/events`, reading(id, n), { qos: 1 }).then(() => true, () => false), closed]);
          if (ok) acked.add(`${id}-${n}`);
          else return;
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }),
  );
  return clients;
}
