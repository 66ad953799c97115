import { along, destination, length, lineString } from '@turf/turf';
import type { DeviceEventWire } from '../ingest/device-event.js';
import { createRng, type Rng } from '../geo/demo/prng.js';
import type { DevicePlan } from './fleet-plan.js';

/** Produces the events a device sends at simulated time `now` (ms); empty when it is not due. */
export type Scenario = (now: number) => DeviceEventWire[];

/**
 * Which scripted episodes one device plays (each a rule a detector must catch, or must not).
 * The demo derives them from the device's index; the CLI draws them from `--violations` rates.
 */
export interface Episodes {
  /** waste-truck: raises its body at a spot off its route (dumping outside a licensed site). */
  dumping?: boolean;
  /** waste-truck: drives loaded with the tarp off for a while. */
  uncovered?: boolean;
  /** gas-sensor: a leak rising over minutes past the low and high alarms. */
  leak?: boolean;
  /** gas-sensor: reports tamper once. */
  tamper?: boolean;
  /** gas-sensor: goes silent after a while (the server's offline timer must notice). */
  silent?: boolean;
  /** bridge-sensor: a one-sample spike (must raise nothing), then a sustained exceedance. */
  sustained?: boolean;
  /** parking-camera: the share of cars that overstay the zone's dwell limit. */
  overstay?: number;
  /** parking-camera: the share of plate reads with low confidence. */
  lowConfidence?: number;
}

/** The demo's episodes: every third truck dumps, the next drives uncovered; every fourth gas sensor leaks; every other bridge is loaded. */
function demoEpisodes(plan: Pick<DevicePlan, 'kind'>, index: number): Episodes {
  switch (plan.kind) {
    case 'waste-truck':
      return { dumping: index % 3 === 0, uncovered: index % 3 === 1 };
    case 'gas-sensor':
      return { leak: index % 4 === 0 };
    case 'bridge-sensor':
      return { sustained: index % 2 === 0 };
    case 'parking-camera':
      return { overstay: 0.5 };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const PLATE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/** A few metres of GPS noise around a point, as a real receiver reports it. */
function jitter(rng: Rng, p: [number, number], metres: number): [number, number] {
  return destination(p, (metres * rng.next()) / 1000, rng.int(0, 359)).geometry.coordinates as [number, number];
}

function envelope(plan: DevicePlan, runId: string, seq: number, now: number, pos: [number, number], accuracyM: number) {
  return {
    eventId: `${runId}-${seq}`,
    deviceId: plan.deviceId,
    ts: iso(now),
    position: { lon: pos[0], lat: pos[1], crs: 'wgs84' as const, accuracyM },
  };
}

/**
 * The behaviour of one simulated device from `start` on. Every device mostly behaves, and has
 * scripted episodes that a detector must catch (and some it must not): trucks dump off their
 * route or drive loaded and uncovered; gas leaks ramp up past the low and high alarms; bridges
 * show a one-sample spike (must raise nothing) and then a sustained exceedance; cameras see cars
 * that leave in time and cars that overstay. `index` staggers episodes across the fleet so the
 * first clues appear within a minute of start.
 */
export function scenarioFor(
  plan: DevicePlan,
  index: number,
  start: number,
  runId: string,
  episodes: Episodes = demoEpisodes(plan, index),
  seed = runId,
): Scenario {
  const rng = createRng(`${plan.deviceId}/${seed}`);
  let seq = 0;
  let nextAt = start + 1000 + rng.int(0, 3000);
  const due = (now: number, everyMs: number) => {
    if (now < nextAt) return false;
    nextAt = now + everyMs;
    return true;
  };
  switch (plan.kind) {
    case 'waste-truck': {
      const route = lineString(plan.route!);
      const km = length(route);
      const dumpFrom = start + 20_000 + index * 45_000;
      const uncoveredFrom = start + 40_000 + index * 30_000;
      return (now) => {
        if (!due(now, 5000)) return [];
        const t = now - start;
        // Drive back and forth along the permitted route at about 30 km/h.
        const travelled = ((t / 1000) * 0.0083) % (2 * km);
        let pos = along(route, travelled <= km ? travelled : 2 * km - travelled).geometry.coordinates as [number, number];
        let body: 'down' | 'raised' = 'down';
        let speedKmh = 30;
        let loaded = true;
        let covered = true;
        if (episodes.dumping && now >= dumpFrom && now < dumpFrom + 50_000) {
          pos = plan.dumpAt!;
          body = now >= dumpFrom + 5000 ? 'raised' : 'down';
          speedKmh = 0;
        } else if (episodes.uncovered && now >= uncoveredFrom && now < uncoveredFrom + 100_000) {
          covered = false;
        } else if (!episodes.dumping && !episodes.uncovered) {
          loaded = false;
        }
        return [
          {
            ...envelope(plan, runId, seq++, now, jitter(rng, pos, 5), 8),
            kind: 'waste-truck',
            speedKmh,
            headingDeg: rng.int(0, 359),
            loaded,
            covered,
            body,
          },
        ];
      };
    }
    case 'gas-sensor': {
      const leakFrom = start + 15_000 + index * 20_000;
      const tamperAt = start + 30_000 + index * 10_000;
      const silentFrom = start + 60_000 + index * 10_000;
      let tampered = false;
      return (now) => {
        if (episodes.silent && now >= silentFrom) return [];
        if (!due(now, 10_000)) return [];
        const tamper = !!episodes.tamper && !tampered && now >= tamperAt;
        if (tamper) tampered = true;
        let lelPct = Math.round(rng.next() * 20) / 10;
        if (episodes.leak && now >= leakFrom) {
          // Ramp 3 %LEL per report to 32, hold, then ventilate back down.
          const step = Math.floor((now - leakFrom) / 10_000);
          lelPct = step < 10 ? 5 + step * 3 : step < 16 ? 32 : Math.max(0.5, 32 - (step - 16) * 6);
        }
        return [{ ...envelope(plan, runId, seq++, now, plan.home, 3), kind: 'gas-sensor', lelPct, batteryPct: 87, tamper }];
      };
    }
    case 'bridge-sensor': {
      const spikeAt = start + 10_000;
      const sustainFrom = start + 40_000 + index * 15_000;
      return (now) => {
        if (!due(now, 5000)) return [];
        let strainUe = 60 + rng.int(0, 40);
        if (episodes.sustained && now >= spikeAt && now < spikeAt + 5000) strainUe = 420; // one sample: must raise nothing
        if (episodes.sustained && now >= sustainFrom && now < sustainFrom + 150_000) strainUe = 180 + rng.int(0, 40);
        return [
          {
            ...envelope(plan, runId, seq++, now, plan.home, 1),
            kind: 'bridge-sensor',
            bridgeId: plan.zoneCode,
            strainUe,
            // Thermal expansion: a daily cycle of ±3 mm peaking at 15:00 Beijing time (07:00 UTC), far below any threshold.
            displacementMm: 6 + 3 * Math.sin(((now / 3_600_000 - 1) / 24) * 2 * Math.PI) + rng.next() * 2,
          },
        ];
      };
    }
    case 'parking-camera': {
      const dwellMs = (plan.dwellLimitS ?? 300) * 1000;
      let plate = '';
      let confidence = 0.9;
      let stayEnds = 0;
      let nextArrival = start + 5000 + index * 10_000;
      return (now) => {
        if (!due(now, 15_000)) return [];
        const base = { ...envelope(plan, runId, seq++, now, plan.home, 2), kind: 'parking-camera' as const, zoneId: plan.zoneCode! };
        if (plate && now >= stayEnds) {
          const left = plate;
          plate = '';
          nextArrival = now + 20_000;
          return [{ ...base, plate: left, event: 'leave', confidence: 0.95 }];
        }
        if (!plate && now >= nextArrival) {
          plate = `浙B${Array.from({ length: 5 }, () => rng.pick([...PLATE_CHARS])).join('')}`;
          // Some cars (the demo: half) overstay the zone's limit by a minute; the rest leave in time.
          stayEnds = now + (rng.next() < (episodes.overstay ?? 0) ? dwellMs + 60_000 : Math.max(15_000, dwellMs - 60_000));
          confidence = rng.next() < (episodes.lowConfidence ?? 0) ? 0.3 + rng.next() * 0.2 : 0.9;
          return [{ ...base, plate, event: 'enter', confidence: confidence + rng.next() * 0.09 }];
        }
        return plate ? [{ ...base, plate, event: 'present', confidence: confidence - 0.05 + rng.next() * 0.14 }] : [];
      };
    }
  }
}
