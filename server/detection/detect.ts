import type { DeviceEvent } from '../../ingest/device-event.js';
import type { LocateResult } from '../../geo/types.js';
import type { Alert } from './alert.js';
import type { DetectContext } from './config.js';
import { detectWasteTruck, initialWasteTruckState, type WasteTruckState } from './waste-truck.detector.js';
import { checkGasSilence, detectGasSensor, initialGasSensorState, type GasSensorState } from './gas-sensor.detector.js';
import { detectBridgeSensor, initialBridgeSensorState, type BridgeSensorState } from './bridge-sensor.detector.js';
import {
  detectParkingCamera,
  initialParkingCameraState,
  parkingStateKey,
  type ParkingCameraState,
} from './parking-camera.detector.js';

/** Any detector's state; `kind` says which. Plain JSON, stored per `stateKey`. */
export type DetectorState = WasteTruckState | GasSensorState | BridgeSensorState | ParkingCameraState;

/** Where an event's detector state lives: per device, or per zone and plate for cameras. */
export function stateKey(event: DeviceEvent): string {
  return event.kind === 'parking-camera' ? parkingStateKey(event) : `device:${event.deviceId}`;
}

/**
 * Runs the detector for the event's kind. `state` is what was stored under `stateKey(event)`
 * (undefined for a new key); a state of another kind, e.g. after a device was re-registered,
 * is discarded rather than misread.
 */
export function detect(
  state: DetectorState | undefined,
  event: DeviceEvent,
  location: LocateResult,
  ctx: DetectContext,
): { state: DetectorState; alerts: Alert[] } {
  switch (event.kind) {
    case 'waste-truck':
      return detectWasteTruck(state?.kind === event.kind ? state : initialWasteTruckState(), event, location, ctx);
    case 'gas-sensor':
      return detectGasSensor(state?.kind === event.kind ? state : initialGasSensorState(event.deviceId), event, location, ctx);
    case 'bridge-sensor':
      return detectBridgeSensor(state?.kind === event.kind ? state : initialBridgeSensorState(), event, location, ctx);
    case 'parking-camera':
      return detectParkingCamera(state?.kind === event.kind ? state : initialParkingCameraState(), event, location, ctx);
  }
}

/**
 * Timer hook for silence (device offline): for gas sensors, `checkGasSilence`; the other kinds
 * report on events only, so their state comes back unchanged with no alerts.
 */
export function checkSilence(state: DetectorState, now: number, ctx: DetectContext): { state: DetectorState; alerts: Alert[] } {
  return state.kind === 'gas-sensor' ? checkGasSilence(state, now, ctx) : { state, alerts: [] };
}
