import { useEffect, useState } from 'preact/hooks';
import type { LonLat } from './geo.js';

/**
 * The phone's position, shared by the duty reporter, "near me" and the navigation map: one
 * `watchPosition` while some component wants it. Nothing is asked of the browser until then,
 * so a worker off duty who never opens a map is never prompted.
 */
let last: (LonLat & { accuracyM: number | null; at: string }) | null = null;
const listeners = new Set<(p: typeof last) => void>();
let watchId: number | null = null;

function start(): void {
  if (watchId !== null || !('geolocation' in navigator)) return;
  watchId = navigator.geolocation.watchPosition(
    (p) => {
      last = { lon: p.coords.longitude, lat: p.coords.latitude, accuracyM: p.coords.accuracy ?? null, at: new Date(p.timestamp).toISOString() };
      for (const fn of listeners) fn(last);
    },
    // Denied or unavailable: the views say "position unknown"; nothing to log.
    () => undefined,
    { enableHighAccuracy: true, maximumAge: 10_000 },
  );
}

function stop(): void {
  if (watchId === null || listeners.size) return;
  navigator.geolocation.clearWatch(watchId);
  watchId = null;
}

/** Calls `fn` with each new fix (and the last one at once); answers the function that stops it. */
export function watchMyPosition(fn: (p: NonNullable<typeof last>) => void): () => void {
  const cb = (p: typeof last) => p && fn(p);
  listeners.add(cb);
  start();
  if (last) fn(last);
  return () => {
    listeners.delete(cb);
    stop();
  };
}

/** A hook: my latest position, or null while unknown. */
export function useMyPosition(): LonLat | null {
  const [p, setP] = useState<LonLat | null>(last);
  useEffect(() => watchMyPosition((fix) => setP({ lon: fix.lon, lat: fix.lat })), []);
  return p;
}
