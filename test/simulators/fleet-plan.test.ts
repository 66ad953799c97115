/**
 * The demo fleet plan speaks the device-registry contract as JSON (simulators stand outside the
 * server and import nothing from it), so this checks what the compiler used to: every planned
 * device's metadata is a registration the detectors accept.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { FeatureCollection, Geometry } from 'geojson';
import { DEVICE_KINDS } from '../../ingest/device-event.js';
import { deviceRegistrationSchema } from '../../server/detection/config.js';
import { planDemoFleet } from '../../simulators/fleet-plan.js';

const zones = JSON.parse(fs.readFileSync(new URL('../../geo/demo/data/zones.geojson', import.meta.url), 'utf8')) as FeatureCollection<Geometry>;

test('every demo plan registers metadata the detectors accept, for every kind', () => {
  const devices = DEVICE_KINDS.flatMap((kind) => Array.from({ length: 5 }, (_, i) => ({ id: `${kind}-${i}`, kind })));
  const plans = planDemoFleet(devices, zones);
  assert.equal(plans.length, devices.length);
  for (const p of plans) {
    const r = deviceRegistrationSchema.safeParse({ deviceId: p.deviceId, ...p.metadata });
    assert.ok(r.success, `${p.deviceId}: ${r.success ? '' : r.error.message}`);
  }
  // The kinds whose detectors need registration data get it.
  assert.ok(plans.filter((p) => p.kind === 'waste-truck').every((p) => typeof p.metadata.corridorZoneCode === 'string'));
  assert.ok(plans.filter((p) => p.kind === 'bridge-sensor').every((p) => p.metadata.bridge !== undefined));
});
