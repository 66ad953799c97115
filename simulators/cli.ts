/**
 * `npm run simulate -- [options]` / `gridwatch-sim`: drives simulated device fleets against a
 * Gridwatch over MQTT, Kafka or HTTP, with chaos, recording and replay. `--help` lists the options.
 */
import fs from 'node:fs';
import type { FeatureCollection, Geometry } from 'geojson';
import { DEVICE_KINDS, type DeviceKind } from '../ingest/device-event.js';
import { HELP, parseCliOptions, type CliOptions } from './cli-options.js';
import { planDemoFleet, type DevicePlan } from './fleet-plan.js';
import { readRecording, rewriteForReplay } from './recording.js';
import { runFleet, type RunSummary } from './run-fleet.js';
import { opsHeaders } from './service-counts.js';
import { httpSender, kafkaSender, mqttSender, type DeviceCredentials, type Sender } from './senders.js';

const ZONES = new URL('../geo/demo/data/zones.geojson', import.meta.url);
const PREFIX: Record<DeviceKind, string> = { 'waste-truck': 'truck', 'gas-sensor': 'gas', 'bridge-sensor': 'bridge', 'parking-camera': 'camera' };

/** Something the user must fix (exit 2), as opposed to a run that went wrong (exit 1). */
class UsageError extends Error {}

/** The service's /healthz, for the MQTT port and the Kafka bootstrap; null when it cannot be read. */
async function healthz(url: string, opsToken: string | undefined): Promise<{ components?: Record<string, { detail?: Record<string, unknown> }> } | null> {
  try {
    const res = await fetch(`${url}/healthz`, { headers: opsHeaders(opsToken) });
    return (await res.json()) as never;
  } catch {
    return null;
  }
}

async function adminCall(url: string, token: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * Registers the run's own fleet (sim-<kind>-NNN) through the admin API with the metadata its
 * plan needs; a device already registered gets a fresh token. Returns the credentials.
 */
async function registerFleet(url: string, token: string, fleet: Partial<Record<DeviceKind, number>>, zones: FeatureCollection<Geometry>): Promise<DeviceCredentials[]> {
  const wanted = DEVICE_KINDS.flatMap((kind) => Array.from({ length: fleet[kind] ?? 5 }, (_, i) => ({ id: `sim-${PREFIX[kind]}-${String(i + 1).padStart(3, '0')}`, kind })));
  const plans = planDemoFleet(wanted, zones);
  const creds: DeviceCredentials[] = [];
  for (const p of plans) {
    let r = await adminCall(url, token, '/api/v1/devices', { id: p.deviceId, kind: p.kind, metadata: { simulated: true, ...p.metadata } });
    if (r.status === 409) r = await adminCall(url, token, `/api/v1/devices/${p.deviceId}/rotate-token`, {});
    if (r.status !== 200 && r.status !== 201) throw new Error(`registering ${p.deviceId} at ${url}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    creds.push({ id: p.deviceId, kind: p.kind, token: r.body.token });
  }
  return creds;
}

function readCredentials(file: string): DeviceCredentials[] {
  if (!fs.existsSync(file)) throw new UsageError(`no device credentials at ${file}: start the demo (npm start) first, or pass --devices FILE or --admin-token TOKEN`);
  const list = JSON.parse(fs.readFileSync(file, 'utf8')) as DeviceCredentials[];
  if (!Array.isArray(list) || list.some((d) => typeof d?.id !== 'string' || typeof d.token !== 'string' || !(DEVICE_KINDS as readonly string[]).includes(d.kind))) {
    throw new UsageError(`${file}: expected a JSON array of {id, kind, token}`);
  }
  return list;
}

/** The devices of the run and their plans: planned over the whole credential list (as the demo registered them), then cut to --fleet. */
function fleetOf(creds: DeviceCredentials[], fleet: CliOptions['fleet'], zones: FeatureCollection<Geometry>): { devices: DeviceCredentials[]; plans: DevicePlan[] } {
  const plans = planDemoFleet(creds, zones);
  const taken = new Map<DeviceKind, number>();
  const keep = plans.filter((p) => {
    const n = taken.get(p.kind) ?? 0;
    taken.set(p.kind, n + 1);
    return fleet === undefined || n < (fleet[p.kind] ?? 0);
  });
  const ids = new Set(keep.map((p) => p.deviceId));
  return { devices: creds.filter((c) => ids.has(c.id)), plans: keep };
}

async function makeSender(o: CliOptions, devices: DeviceCredentials[], health: Awaited<ReturnType<typeof healthz>>, runId: string): Promise<Sender> {
  if (o.transport === 'http') return httpSender(o.url, devices);
  if (o.transport === 'kafka') {
    const brokers = o.kafka ?? (health?.components?.kafka?.detail?.bootstrap as string | undefined);
    if (!brokers) throw new UsageError(`no Kafka bootstrap: pass --kafka host:port (the service at ${o.url} reports none in /healthz)`);
    return kafkaSender(brokers);
  }
  const port = health?.components?.mqtt?.detail?.port as number | undefined;
  const url = o.mqtt ?? (port ? `mqtt://${new URL(o.url).hostname}:${port}` : 'mqtt://127.0.0.1:1883');
  return mqttSender(url, devices, `sim-${runId}`);
}

function report(s: RunSummary): string {
  const codes = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    `sent ${s.sent} in ${s.seconds.toFixed(1)} s (${s.rate}/s) over ${s.transport}`,
    `  acked ${s.acked}  accepted ${s.accepted}  duplicate ${s.duplicate}  rejected ${codes(s.rejected)}  refused ${s.refused}  unaccounted ${s.unaccounted}`,
    `  expected: accepted ${s.expected.accepted}, duplicate ${s.expected.duplicate}, dead letters ${codes(s.expected.rejected)}`,
    `  chaos: ${codes(s.chaos)}`,
    s.service ? `  service counted: accepted ${s.service.accepted}, duplicate ${s.service.duplicate}, dead letters ${codes(s.service.deadLetters)}` : '  service counts: /metrics not readable',
    s.serviceSeconds === null ? '  service caught up: not within the drain wait' : `  service caught up after ${s.serviceSeconds.toFixed(1)} s (${Math.round(s.sent / s.serviceSeconds)}/s)`,
    `  matches expected: ${s.matchesExpected === null ? 'unknown' : s.matchesExpected ? 'yes' : 'NO'}`,
    ...(s.errors.length ? [`  errors: ${s.errors.slice(0, 5).join(' | ')}`] : []),
  ].join('\n');
}

/** Runs the CLI with `argv`; resolves with the exit status. */
export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let o: CliOptions;
  try {
    o = parseCliOptions(argv);
  } catch (e) {
    err.write(`gridwatch-sim: ${(e as Error).message}\nTry --help.\n`);
    return 2;
  }
  if (o.help) {
    out.write(`${HELP}\n`);
    return 0;
  }
  try {
    const zones = JSON.parse(fs.readFileSync(ZONES, 'utf8')) as FeatureCollection<Geometry>;
    const runId = `${o.seed}-${Date.now().toString(36)}`;
    const creds = o['admin-token'] ? await registerFleet(o.url, o['admin-token'], o.fleet ?? {}, zones) : readCredentials(o.devices ?? './data/demo-devices.json');
    const { devices, plans } = fleetOf(creds, o['admin-token'] ? undefined : o.fleet, zones);
    const replay = o.replay ? readRecording(o.replay) : null;
    // A replay speaks for the devices its recording names.
    const speakers = replay ? creds.filter((c) => replay.some((r) => r.deviceId === c.id)) : devices;
    if (!speakers.length) throw new UsageError('no devices to simulate: check --fleet and the credentials');
    const health = await healthz(o.url, o['ops-token']);
    const sender = await makeSender(o, speakers, health, runId);
    const tty = err.isTTY === true;
    const progress = o.quiet ? undefined : (line: string) => err.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    let summary: RunSummary;
    try {
      summary = await runFleet({
        transport: o.transport,
        url: o.url,
        ...(o['ops-token'] ? { opsToken: o['ops-token'] } : {}),
        sender,
        window: o.window,
        ...(o.record ? { record: o.record } : {}),
        ...(progress ? { progress } : {}),
        ...(replay
          ? { replay: { records: rewriteForReplay(replay, Date.now(), runId), speed: o.speed } }
          : {
              live: {
                plans,
                seed: o.seed,
                runId,
                violations: o.violations,
                chaos: o.chaos,
                offsetCrsShare: o['offset-crs'],
                images: o.images === 'yes',
                rate: o.rate ?? (o['rate-per-device'] !== undefined ? o['rate-per-device'] * plans.length : undefined),
                speed: o.speed,
                durationS: o.duration,
              },
            }),
      });
    } finally {
      await sender.close();
    }
    if (tty && progress) err.write('\n');
    out.write(`${report(summary)}\n`);
    if (o.json) fs.writeFileSync(o.json, `${JSON.stringify(summary, null, 2)}\n`);
    return summary.unaccounted > 0 ? 1 : 0;
  } catch (e) {
    err.write(`gridwatch-sim: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
