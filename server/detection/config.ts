import { z } from 'zod';
import { timeWindowSchema, zoneAttrSchemas } from '../../geo/types.js';

const seconds = z.number().nonnegative();
const count = z.number().int().min(1);

/**
 * Detector thresholds. Every field has a default, so `detectorConfigSchema.parse({})` is the
 * shipped configuration and operators override only what they need.
 */
export const detectorConfigSchema = z.object({
  waste: z
    .object({
      /** Fixes less accurate than this are ignored for zone tests (GPS jitter, urban canyons). */
      maxAccuracyM: z.number().positive().default(50),
      /** Consecutive qualifying fixes before any truck condition is raised. */
      minFixes: count.default(2),
      /** Consecutive non-qualifying fixes before a raised condition clears (hysteresis). */
      clearFixes: count.default(2),
      /** Speed above which the truck counts as moving, km/h. */
      movingKmh: z.number().nonnegative().default(5),
      dumpingMinS: seconds.default(20),
      uncoveredMinS: seconds.default(60),
      /** Leaving the corridor must exceed both a distance from the exit point and a time. */
      corridorGraceM: z.number().nonnegative().default(200),
      corridorGraceS: seconds.default(120),
      outsideHoursMinS: seconds.default(120),
      restrictedMinS: seconds.default(30),
    })
    .prefault({}),
  gas: z
    .object({
      lowLelPct: z.number().positive().default(10),
      highLelPct: z.number().positive().default(25),
      criticalLelPct: z.number().positive().default(50),
      /** A level clears only this far below its threshold (hysteresis). */
      hysteresisLelPct: z.number().nonnegative().default(2),
      /** Offline after this many reporting intervals without a report. */
      offlineAfterIntervals: z.number().positive().default(2),
      /** Reporting interval of sensors registered without one. */
      defaultIntervalS: z.number().positive().default(300),
    })
    .prefault({})
    .refine((g) => g.lowLelPct < g.highLelPct && g.highLelPct < g.criticalLelPct, {
      message: 'gas thresholds must rise: lowLelPct < highLelPct < criticalLelPct',
    }),
  bridge: z
    .object({
      /** A level is lowered only below threshold × (1 − hysteresisRatio), sustained as long. */
      hysteresisRatio: z.number().min(0).max(0.9).default(0.1),
    })
    .prefault({}),
  parking: z
    .object({
      /** Plate reads below this confidence produce a review alert, not a clue. */
      minConfidence: z.number().min(0).max(1).default(0.6),
      /** A stay with no sighting for this long is over even without a 'leave' event. */
      staleAfterS: seconds.default(900),
    })
    .prefault({}),
});
export type DetectorConfig = z.infer<typeof detectorConfigSchema>;

/** The shipped thresholds. */
export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = detectorConfigSchema.parse({});

/** Registration metadata of one device, from the device registry (设备台账). */
export const deviceRegistrationSchema = z.object({
  deviceId: z.string().min(1),
  /** waste-truck: transport permit (核准证) and its corridor zone. */
  permitId: z.string().optional(),
  corridorZoneCode: z.string().optional(),
  /** waste-truck: hours the permit allows driving (local time). */
  permittedHours: z.array(timeWindowSchema).optional(),
  /** gas-sensor: how often the sensor reports when all is well, seconds. */
  reportingIntervalS: z.number().positive().optional(),
  /** bridge-sensor: the monitored bridge, when the event does not name it. */
  bridge: z
    .object({ code: z.string(), name: z.string(), attrs: zoneAttrSchemas.bridge })
    .optional(),
  /** parking-camera: the no-parking zones it watches, when the camera stands outside them. */
  noParkingZones: z
    .array(z.object({ code: z.string(), name: z.string(), attrs: zoneAttrSchemas['no-parking'] }))
    .optional(),
});
export type DeviceRegistration = z.infer<typeof deviceRegistrationSchema>;

/** What every detector gets besides state, event and location. */
export interface DetectContext {
  config: DetectorConfig;
  device: DeviceRegistration;
}
