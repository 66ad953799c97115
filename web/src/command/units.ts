import { readOnce, request } from '../api.js';

/** A unit in service as GET /api/v1/units lists it (the fields the command centre shows). */
export interface UnitName {
  id: string;
  kind: string;
  name: { zh: string; en: string };
}

/**
 * The units in service, read once per page: the side panel's unit filter and the detail's target
 * unit pickers need the same list, and units change only with a catalogue version.
 */
export const loadUnits = readOnce(() => request<{ units: UnitName[] }>('/api/v1/units').then((a) => a.units));
