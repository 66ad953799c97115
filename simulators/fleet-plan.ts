import { along, centroid, destination, length, lineString } from '@turf/turf';
import type { Feature, FeatureCollection, Geometry, LineString, Polygon } from 'geojson';
import type { DeviceKind } from '../ingest/device-event.js';
import { createRng } from '../geo/demo/prng.js';

/** A zone as the demo city ships it (`geo/demo/data/zones.geojson`). */
export type ZoneFeature = Feature<Geometry, { code: string; name: string; type: string; attrs: Record<string, any> }>;

/** Where one simulated device lives and what it is registered for. */
export interface DevicePlan {
  deviceId: string;
  kind: DeviceKind;
  /**
   * Registration metadata, as the device registry stores it (JSON) and the detectors read it
   * (`deviceRegistrationSchema` in server/detection/config.ts; a test checks every plan parses).
   * Simulators stand where devices stand, outside the server, so they speak only that contract.
   */
  metadata: Record<string, unknown>;
  /** Home position [lon, lat] (WGS84). */
  home: [number, number];
  /** waste-truck: the permitted route to drive along, and a spot off it to dump at. */
  route?: [number, number][];
  dumpAt?: [number, number];
  /** parking-camera / bridge-sensor: the zone it watches. */
  zoneCode?: string;
  /** parking-camera: the zone's dwell limit, seconds. */
  dwellLimitS?: number;
}

const byType = (zones: FeatureCollection<Geometry>, type: string) =>
  (zones.features as ZoneFeature[]).filter((z) => z.properties.type === type);

const point = (f: Feature<Geometry>): [number, number] => centroid(f).geometry.coordinates as [number, number];

/**
 * Assigns each demo device to a place in the demo city, deterministically from the seed:
 * trucks to the permit corridors (with a spot off the route where a dumping episode happens),
 * gas sensors near the streets of the no-parking zones (urban blocks), bridge sensors to the
 * bridges and cameras to the no-parking zones. Pure: the same devices and zones give the same plan.
 */
export function planDemoFleet(
  devices: readonly { id: string; kind: DeviceKind }[],
  zones: FeatureCollection<Geometry>,
  seed = 'gridwatch-sim-1',
): DevicePlan[] {
  const rng = createRng(seed);
  const corridors = byType(zones, 'route-corridor') as unknown as Feature<LineString | Polygon, ZoneFeature['properties']>[];
  const bridges = byType(zones, 'bridge');
  const noParking = byType(zones, 'no-parking');
  const counters: Record<DeviceKind, number> = { 'waste-truck': 0, 'gas-sensor': 0, 'bridge-sensor': 0, 'parking-camera': 0 };
  return devices.map((d) => {
    const i = counters[d.kind]++;
    switch (d.kind) {
      case 'waste-truck': {
        const c = corridors[i % corridors.length]!;
        const line = c.geometry.type === 'LineString' ? c.geometry : lineString(c.geometry.coordinates[0]!).geometry;
        const route = line.coordinates as [number, number][];
        const km = length(lineString(route));
        const stop = along(lineString(route), km * (0.2 + 0.6 * rng.next()));
        const dumpAt = destination(stop, 0.45, rng.int(0, 359)).geometry.coordinates as [number, number];
        return {
          deviceId: d.id,
          kind: d.kind,
          home: route[0]!,
          route,
          dumpAt,
          metadata: { permitId: c.properties.attrs.permitId, corridorZoneCode: c.properties.code, permittedHours: [{ from: '00:00', to: '00:00' }] },
        };
      }
      case 'gas-sensor': {
        const z = noParking[(i * 7) % noParking.length]!;
        const home = destination(point(z), 0.05 + 0.3 * rng.next(), rng.int(0, 359)).geometry.coordinates as [number, number];
        return { deviceId: d.id, kind: d.kind, home, metadata: { reportingIntervalS: 60 } };
      }
      case 'bridge-sensor': {
        const b = bridges[i % bridges.length]!;
        return {
          deviceId: d.id,
          kind: d.kind,
          home: point(b),
          zoneCode: b.properties.code,
          metadata: { bridge: { code: b.properties.code, name: b.properties.name, attrs: b.properties.attrs as never } },
        };
      }
      case 'parking-camera': {
        const z = noParking[i % noParking.length]!;
        return {
          deviceId: d.id,
          kind: d.kind,
          home: point(z),
          zoneCode: z.properties.code,
          dwellLimitS: z.properties.attrs.dwellLimitS,
          metadata: { noParkingZones: [{ code: z.properties.code, name: z.properties.name, attrs: z.properties.attrs as never }] },
        };
      }
    }
  });
}
