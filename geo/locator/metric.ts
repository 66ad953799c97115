/**
 * Metres per degree of longitude (`kx`) and latitude (`ky`) at latitude `latDeg` on the WGS84
 * ellipsoid (the usual series, good to centimetres per degree). Scaling degrees by these gives
 * a local plane in which distances of a few kilometres are within ~0.1 % of the geodesic.
 */
export function metresPerDegree(latDeg: number): { kx: number; ky: number } {
  const phi = (latDeg * Math.PI) / 180;
  const ky = 111132.92 - 559.82 * Math.cos(2 * phi) + 1.175 * Math.cos(4 * phi) - 0.0023 * Math.cos(6 * phi);
  const kx = 111412.84 * Math.cos(phi) - 93.5 * Math.cos(3 * phi) + 0.118 * Math.cos(5 * phi);
  return { kx, ky };
}
