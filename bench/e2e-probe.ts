/**
 * The end-to-end probe shared by the latency bench and the soak: the demo gas sensor gas-001
 * publishes a clean reading, then a critical one (a new alarm episode, so an alert that joins
 * its clue), and the probe times that publish → the first `opened`/`changed` diff for the
 * probe's clue carrying a new alert count, received by a city operator's `/api/v1/live` socket.
 * One probe in flight at a time, so each sample is one event's whole path: transport → batch →
 * store → detect → route → clue writer → outbox → live hub → socket.
 *
 * The probe device must not be driven by the load generator (its readings would move the
 * probe's clue), so the probe writes the demo devices file without it for the load to use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { firstEpisodePosition } from '../server/demo/demo-fleet.js';
import type { Gridwatch } from '../server/runtime.js';

interface Credentials {
  id: string;
  kind: string;
  token: string;
}

/** How the probe's readings reach the service. */
export type ProbeTransport = 'mqtt' | 'http';

/** A probe ready to measure, on a running service. */
export interface E2eProbe {
  readonly deviceId: string;
  /** The demo devices file without the probe device, for the load generator. */
  readonly loadDevicesFile: string;
  /** Probe readings the service did not take (the reason each), for the caller to report. */
  readonly refused: string[];
  /** Probe readings published, each accepted unless listed in `refused`. */
  published(): number;
  /** One probe: milliseconds from the critical reading's publish to its diff, or null when none came within `timeoutMs`. */
  measure(timeoutMs: number): Promise<number | null>;
  close(): Promise<void>;
}

/** A live client that resolves the next diff with a new alert count on one of the probe's clues. */
class ProbeWatcher {
  private codes = new Set<string>();
  private waiting: ((at: number) => void) | null = null;
  constructor(
    ws: WebSocket,
    private readonly deviceId: string,
  ) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; code?: string; fields?: { device?: { id: string } | null; alertCount?: number } };
      if (m.type !== 'opened' && m.type !== 'changed') return;
      if (m.type === 'opened' && m.fields?.device?.id === this.deviceId) this.codes.add(m.code!);
      if (!this.codes.has(m.code!) || m.fields?.alertCount === undefined) return;
      const w = this.waiting;
      this.waiting = null;
      w?.(performance.now());
    });
  }
  /** The time the next matching diff arrives, or null after the timeout. */
  next(timeoutMs: number): Promise<number | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve(null);
      }, timeoutMs);
      this.waiting = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
  }
  /** Forgets a diff that may still come for an earlier probe. */
  reset(): void {
    this.waiting = null;
  }
}

/**
 * Opens the probe on a demo service started with DATA_DIR `dataDir` (its demo-devices.json): logs
 * in the demo city operator, subscribes a live socket, connects the probe device over `transport`
 * and raises one alarm first, so the probe's clue exists before any timing. Throws when the
 * database was seeded by an earlier run (the demo passwords are shown only when seeded).
 */
export async function openE2eProbe(gw: Gridwatch, dataDir: string, transport: ProbeTransport): Promise<E2eProbe> {
  const probe = firstEpisodePosition();
  const devices = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-devices.json'), 'utf8')) as Credentials[];
  const me = devices.find((d) => d.id === probe.deviceId)!;
  const loadDevicesFile = path.join(dataDir, 'load-devices.json');
  fs.writeFileSync(loadDevicesFile, JSON.stringify(devices.filter((d) => d.id !== probe.deviceId)));
  const op = gw.demoCredentials.find((c) => c.username === 'city-operator');
  if (!op) throw new Error('e2e probe: no demo credentials (the database was seeded by an earlier run): give it a fresh DATABASE_URL');
  const login = await fetch(`${gw.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: op.username, password: op.password }) });
  const { token } = (await login.json()) as { token: string };
  const ws = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/api/v1/live`, ['gridwatch.live'], { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const watcher = new ProbeWatcher(ws, probe.deviceId);
  ws.send(JSON.stringify({ type: 'subscribe' }));

  let client: mqtt.MqttClient | undefined;
  if (transport === 'mqtt') {
    const port = ((await gw.health.report()).components.mqtt?.detail as { port: number }).port;
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `bench-probe-${process.pid}`, username: me.id, password: me.token, clean: true });
  }
  const refused: string[] = [];
  let n = 0;
  const publish = async (lelPct: number): Promise<void> => {
    const body = JSON.stringify({ eventId: `bench-probe-${process.pid}-${n++}`, deviceId: me.id, kind: 'gas-sensor', ts: new Date().toISOString(), position: { lon: probe.lon, lat: probe.lat }, lelPct });
    if (client) {
      await client.publishAsync(`devices/gas-sensor/${me.id}/events`, body, { qos: 1 });
      return;
    }
    const res = await fetch(`${gw.url}/api/v1/device-events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-device-id': me.id, authorization: `Bearer ${me.token}` }, body });
    const text = await res.text();
    const status = res.status === 200 ? (JSON.parse(text) as { results: { status: string; code?: string }[] }).results[0] : undefined;
    if (status?.status !== 'accepted') refused.push(status ? `${status.status} ${status.code ?? ''}`.trim() : `HTTP ${res.status}: ${text.slice(0, 200)}`);
  };
  // One alarm first, so the probe's clue exists and its code is known before timing starts.
  await publish(0);
  await publish(80);
  await watcher.next(60_000);

  return {
    deviceId: probe.deviceId,
    loadDevicesFile,
    refused,
    published: () => n,
    async measure(timeoutMs) {
      // A clean reading ends the alarm episode, so the next critical one opens a new alert.
      await publish(0);
      await sleep(100);
      watcher.reset();
      const arrived = watcher.next(timeoutMs);
      const t0 = performance.now();
      await publish(80);
      const at = await arrived;
      return at === null ? null : at - t0;
    },
    async close() {
      ws.close();
      await client?.endAsync().catch(() => undefined);
    },
  };
}
