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
 * Registers where each demo device is (permit corridor, bridge, watched zone) on every demo
 * start, whether or not the simulators run: a replayed recording or a device fed by hand is
 * judged against the same permits as the simulated fleet.
 */
export async function registerDemoFleet(devices: DeviceRegistry, demoDevices: readonly DemoDevice[]): Promise<void> {
  for (const p of planDemoFleet(demoDevices, readZones())) await devices.setMetadata(p.deviceId, { demo: true, ...p.metadata });
}

/**
 * Starts the demo simulators (registered by `registerDemoFleet`), which publish over MQTT to the
 * given broker with each device's own credentials, at most `rate` events/s.
 */
export async function startDemoFleet(opts: {
  demoDevices: readonly DemoDevice[];
  mqttUrl: string;
  /** Events/s over the whole fleet (DEMO_RATE). */
  rate?: number;
  log: Logger;
}): Promise<Simulators> {
  const plans = planDemoFleet(opts.demoDevices, readZones());
  return startSimulators({ mqttUrl: opts.mqttUrl, devices: opts.demoDevices, plans, rate: opts.rate, log: opts.log });
}
