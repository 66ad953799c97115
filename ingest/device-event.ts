import { z } from 'zod';
import { wasteTruckSchema } from './schemas/waste-truck.schema.js';
import { gasSensorSchema } from './schemas/gas-sensor.schema.js';
import { bridgeSensorSchema } from './schemas/bridge-sensor.schema.js';
import { parkingCameraSchema } from './schemas/parking-camera.schema.js';
import type { Crs } from '../core/crs.js';

/** The device kinds Gridwatch understands (docs/DESIGN.md section 4). */
export const DEVICE_KINDS = ['waste-truck', 'gas-sensor', 'bridge-sensor', 'parking-camera'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Wire schema of one device event, any kind: what transports validate raw input against. */
export const deviceEventWireSchema = z.discriminatedUnion('kind', [
  wasteTruckSchema,
  gasSensorSchema,
  bridgeSensorSchema,
  parkingCameraSchema,
]);
export type DeviceEventWire = z.infer<typeof deviceEventWireSchema>;

/** Fields of every normalised event: position is WGS84, times are epoch milliseconds. */
export interface DeviceEventBase {
  eventId: string;
  deviceId: string;
  /** Event time reported by the device (ms since epoch). */
  ts: number;
  /** When Gridwatch received it (ms since epoch). */
  receivedAt: number;
  /** WGS84 position. */
  position: { lon: number; lat: number; accuracyM: number | null };
  /** The CRS the device reported in, kept for the record. */
  sourceCrs: Crs;
  /** Evidence image reference, if any (a URL or a stored file reference). */
  image?: { url: string } | { stored: string; sha256: string; mime: string };
  /** Quality flags set by normalisation, e.g. 'stale-ts'. Flagged events are kept, not dropped. */
  flags: string[];
}

export interface WasteTruckEvent extends DeviceEventBase {
  kind: 'waste-truck';
  speedKmh: number;
  headingDeg: number | null;
  loaded: boolean;
  covered: boolean;
  body: 'down' | 'raised';
}

export interface GasSensorEvent extends DeviceEventBase {
  kind: 'gas-sensor';
  /** Concentration in %LEL (ppm readings are converted). */
  lelPct: number;
  coPpm: number | null;
  batteryPct: number | null;
  tamper: boolean;
}

export interface BridgeSensorEvent extends DeviceEventBase {
  kind: 'bridge-sensor';
  bridgeId: string | null;
  strainUe: number | null;
  displacementMm: number | null;
  tiltDeg: number | null;
  crackWidthMm: number | null;
}

export interface ParkingCameraEvent extends DeviceEventBase {
  kind: 'parking-camera';
  plate: string;
  zoneId: string;
  event: 'enter' | 'present' | 'leave';
  confidence: number;
}

/** A validated, normalised device event: the one thing every transport produces. */
export type DeviceEvent = WasteTruckEvent | GasSensorEvent | BridgeSensorEvent | ParkingCameraEvent;

/** Input that could not become a DeviceEvent, kept with its reason (nothing is dropped). */
export interface DeadLetter {
  transport: 'mqtt' | 'kafka' | 'http';
  /** The raw payload as received (bytes are kept as base64 when not storable UTF-8 text); see `rawTruncated`. */
  raw: string;
  /** How `raw` is encoded: 'base64' for payloads that are not valid UTF-8 or hold NUL characters. */
  rawEncoding: 'utf8' | 'base64';
  /** Size in bytes of the payload as received. */
  rawBytes: number;
  /** Hex SHA-256 of the payload as received. */
  rawSha256: string;
  /** `raw` holds only the payload's first bytes: it was over the decode limit (GW_INGEST_TOO_LARGE). */
  rawTruncated: boolean;
  /** Stable error code from the catalogue, e.g. GW_INGEST_SCHEMA. */
  code: string;
  /** Human-readable reason naming the field(s) at fault. */
  reason: string;
  /** The device the event claims to be from, when that much could be read; else the authenticated one. */
  deviceId: string | null;
  /** The device the transport authenticated, kept so a replay cannot let one device speak for another. */
  authenticatedDeviceId: string | null;
  topic: string | null;
  receivedAt: number;
}
