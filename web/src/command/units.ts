import { request } from '../api.js';

/** A unit in service as GET /api/v1/units lists it (the fields the command centre shows). */
export interface UnitName {
  id: string;
  kind: string;
  name: { zh: string; en: string };
}

let units: Promise<UnitName[]> | null = null;

/**
 * The units in service, read once per page: the side panel's unit filter and the detail's target
 * unit pickers need the same list, and units change only with a catalogue version. A failed read is
 * forgotten so the next call tries again.
 */
export function loadUnits(): Promise<UnitName[]> {
  units ??= request<{ units: UnitName[] }>('/api/v1/units')
    .then((a) => a.units)
    .catch((err: unknown) => {
      units = null;
      throw err;
    });
  return units;
}
