import { cellToParent, latLngToCell } from 'h3-js';

/** The H3 resolution stored with clues (`clues.h3_r9`, migration 090); coarser ones derive from it. */
export const H3_STORED_RES = 9;

/**
 * The H3 cell of a WGS84 point at resolution 9, as the decimal text of its 64-bit index (what a
 * bigint column takes through JSON without losing digits). Computed in Node because the embedded
 * PostGIS has no H3 extension.
 */
export function h3CellOf(lon: number, lat: number): string {
  return BigInt(`0x${latLngToCell(lat, lon, H3_STORED_RES)}`).toString();
}

/** The usual hex form of an H3 index stored as bigint (pg hands bigints over as decimal text). */
export function h3Hex(index: string): string {
  return BigInt(index).toString(16);
}

/** The parent cell at `res` (for checking the SQL's bit arithmetic against h3-js). */
export function h3Parent(hex: string, res: number): string {
  return cellToParent(hex, res);
}
