import fs from 'node:fs';
import type { FeatureCollection, Geometry } from 'geojson';
import type { Logger } from '../../core/logger.js';
import type { DemoDevice } from '../../ingest/demo-devices.js';
import type { DeviceRegistry } from '../../ingest/device-registry.js';
import { planDemoFleet } from '../../simulators/fleet-plan.js';
import { startSimulators, type Simulators } from '../../simulators/simulator.js';

const ZONES = new URL('../../geo/demo/data/zones.geojson', import.meta.url);

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
  const zones = JSON.parse(fs.readFileSync(ZONES, 'utf8')) as FeatureCollection<Geometry>;
  const plans = planDemoFleet(opts.demoDevices, zones);
  for (const p of plans) await opts.devices.setMetadata(p.deviceId, { demo: true, ...p.metadata });
  return startSimulators({ mqttUrl: opts.mqttUrl, devices: opts.demoDevices, plans, log: opts.log });
}
