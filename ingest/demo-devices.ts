import fs from 'node:fs';
import path from 'node:path';
import type { DeviceKind } from './device-event.js';
import type { DeviceRegistry } from './device-registry.js';

/** The demo fleet the simulators drive: deterministic ids per kind (truck-001 …). */
export const DEMO_FLEET: ReadonlyArray<{ prefix: string; kind: DeviceKind; count: number }> = [
  { prefix: 'truck', kind: 'waste-truck', count: 20 },
  { prefix: 'gas', kind: 'gas-sensor', count: 20 },
  { prefix: 'bridge', kind: 'bridge-sensor', count: 8 },
  { prefix: 'camera', kind: 'parking-camera', count: 12 },
];

/** Credentials of one demo device, as kept in DATA_DIR/demo-devices.json. */
/** The demo fleet's device ids and kinds, in fleet order (truck-001 … camera-012). */
export function demoFleetDevices(): { id: string; kind: DeviceKind }[] {
  return DEMO_FLEET.flatMap(({ prefix, kind, count }) =>
    Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${String(i + 1).padStart(3, '0')}`, kind })),
  );
}

export interface DemoDevice {
  id: string;
  kind: DeviceKind;
  token: string;
}

/**
 * Registers the demo fleet and keeps its credentials in DATA_DIR/demo-devices.json (mode 600,
 * local use only) for the simulators. Idempotent: devices already in the file keep their
 * tokens; a registered device whose token was lost gets a new one.
 */
export async function seedDemoDevices(registry: DeviceRegistry, dataDir: string): Promise<DemoDevice[]> {
  const file = path.join(dataDir, 'demo-devices.json');
  const known = new Map<string, DemoDevice>();
  if (fs.existsSync(file)) for (const d of JSON.parse(fs.readFileSync(file, 'utf8')) as DemoDevice[]) known.set(d.id, d);
  const wanted = demoFleetDevices();
  const registered = new Set((await registry.list({ limit: 100_000 })).map((d) => d.id));
  const missing = wanted.filter((d) => !known.has(d.id) || !registered.has(d.id));
  if (!missing.length) return wanted.map((d) => known.get(d.id)!);
  for (const r of await registry.importDevices(missing.map((d) => ({ id: d.id, kind: d.kind, metadata: { demo: true } })))) {
    const kind = missing.find((d) => d.id === r.id)!.kind;
    known.set(r.id, { id: r.id, kind, token: r.status === 'created' ? r.token : await registry.rotateToken(r.id) });
  }
  const creds = wanted.map((d) => known.get(d.id)!);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}
