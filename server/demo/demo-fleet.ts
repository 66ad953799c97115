import fs from 'node:fs';
import type { FeatureCollection, Geometry } from 'geojson';
import type { Logger } from '../../core/logger.js';
import { demoFleetDevices, type DemoDevice } from '../../ingest/demo-devices.js';
import type { DeviceRegistry } from '../../ingest/device-registry.js';
import { planDemoFleet } from '../../simulators/fleet-plan.js';
import { startSimulators, type Simulators } from '../../simulators/simulator.js';

const ZONES = new URL('../../geo/demo/data/zones.geojson', import.meta.url);
const readZones = () => JSON.parse(fs.readFileSync(ZONES, 'utf8')) as FeatureCollection<Geometry>;

/**
 * Where the demo's first scripted episode happens: gas-001, whose leak starts 15 s after the
 * simulators do (simulators/scenarios.ts). The demo's town users belong to the town it stands in.
 */
export function firstEpisodePosition(): { deviceId: string; lon: number; lat: number } {
  const plan = planDemoFleet(demoFleetDevices(), readZones()).find((p) => p.deviceId === 'gas-001')!;
  return { deviceId: plan.deviceId, lon: plan.home[0], lat: plan.home[1] };
}

/**
 * Registers where each demo device is (permit corridor, bridge, watched zone) and starts the
 * simulators, which publish over MQTT to the given broker with each device's own credentials.
 */
export async function startDemoFleet(opts: {
  devices: DeviceRegistry;
  demoDevices: readonly DemoDevice[];
  mqttUrl: string;
  log: Logger;
}): Promise<Simulators> {
  const plans = planDemoFleet(opts.demoDevices, readZones());
  for (const p of plans) await opts.devices.setMetadata(p.deviceId, { demo: true, ...p.metadata });
  return startSimulators({ mqttUrl: opts.mqttUrl, devices: opts.demoDevices, plans, log: opts.log });
}
