import type pg from 'pg';
import { describeIssues } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { defineQueries } from '../../db/sql.js';
import { deviceRegistrationSchema, type DeviceRegistration } from '../detection/config.js';

const { FIND } = defineQueries(import.meta.url, { FIND: 'find-device-registrations' });

/**
 * Registration metadata of devices (permit, corridor, reporting interval, bridge, watched
 * zones), validated by `deviceRegistrationSchema` and cached for `ttlMs`, so a batch costs at
 * most one query for the devices it has not seen lately. Metadata that does not validate is
 * logged and treated as a bare registration: the detectors then use their defaults rather
 * than stop.
 */
export class DeviceRegistrations {
  private readonly cache = new Map<string, { reg: DeviceRegistration; until: number }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly ttlMs = 60_000,
  ) {}

  /** Registrations for the ids (a bare `{deviceId}` for ids the registry does not know). */
  async get(ids: Iterable<string>, now: number): Promise<Map<string, DeviceRegistration>> {
    const out = new Map<string, DeviceRegistration>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache.get(id);
      if (hit && hit.until > now) out.set(id, hit.reg);
      else missing.push(id);
    }
    if (!missing.length) return out;
    const { rows } = await this.pool.query<{ id: string; metadata: Record<string, unknown> }>(FIND, [missing]);
    const metadata = new Map(rows.map((r) => [r.id, r.metadata]));
    for (const id of missing) {
      const parsed = deviceRegistrationSchema.safeParse({ ...metadata.get(id), deviceId: id });
      if (!parsed.success) this.log.warn({ deviceId: id, problems: describeIssues(parsed.error.issues) }, 'device metadata is not a valid registration; detector defaults apply');
      const reg = parsed.success ? parsed.data : { deviceId: id };
      this.cache.set(id, { reg, until: now + this.ttlMs });
      out.set(id, reg);
    }
    return out;
  }
}
