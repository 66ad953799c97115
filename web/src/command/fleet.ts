import type { LiveMessages } from '../app/live.js';

/** How much track a moving truck trails behind it. */
export const TRUCK_TRAIL_MS = 10 * 60_000;

interface Device {
  id: string;
  kind: string;
  lon: number;
  lat: number;
  online: boolean;
  track: { lon: number; lat: number; t: number }[];
}

/** The devices the map knows of, from the `device` (positions) and `device-health` messages. */
export class Fleet {
  private readonly byId = new Map<string, Device>();

  /** A truck's new fix: it moves, comes online, and its track grows (older points dropped). */
  fix(m: LiveMessages['device'], now: number): void {
    const d = this.byId.get(m.id) ?? { id: m.id, kind: m.kind, lon: m.lon, lat: m.lat, online: true, track: [] };
    Object.assign(d, { lon: m.lon, lat: m.lat, online: true });
    d.track.push({ lon: m.lon, lat: m.lat, t: now });
    while (d.track.length && d.track[0]!.t < now - TRUCK_TRAIL_MS) d.track.shift();
    this.byId.set(m.id, d);
  }

  /** A device went online or offline. */
  health(m: LiveMessages['device-health']): void {
    const d = this.byId.get(m.id);
    if (d) d.online = m.online;
    else if (m.lon !== null && m.lat !== null) this.byId.set(m.id, { id: m.id, kind: m.kind, lon: m.lon, lat: m.lat, online: m.online, track: [] });
  }

  /** Every device with a position. */
  devices(): Device[] {
    return [...this.byId.values()];
  }

  /** The trucks' tracks since `since` (ms), as paths of two points or more. */
  trails(since: number): { id: string; path: [number, number][] }[] {
    return this.devices().flatMap((d) => {
      const path = d.track.filter((p) => p.t >= since).map((p) => [p.lon, p.lat] as [number, number]);
      return path.length > 1 ? [{ id: d.id, path }] : [];
    });
  }
}
