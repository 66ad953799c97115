import type pg from 'pg';
import { z } from 'zod';
import { readCsv } from '../core/csv.js';
import { GwError, describeIssues } from '../core/errors.js';
import crypto from 'node:crypto';
import { randomSecret, sha256, verifySecret } from '../core/passwords.js';
import { defineQueries } from '../db/sql.js';
import { withTransaction } from '../db/transaction.js';
import { DEVICE_KINDS, type DeviceKind } from './device-event.js';
import type { DeviceAuthenticator, DeviceIdentity } from './transport.js';

const sql = defineQueries(import.meta.url, {
  insert: 'insert-device',
  credentials: 'find-device-credentials',
  upgradeHash: 'upgrade-device-token-hash',
  identities: 'find-device-identities',
  rotate: 'rotate-device-token',
  setDisabled: 'set-device-disabled',
  setMetadata: 'set-device-metadata',
  list: 'list-devices',
});

/** Device ids appear in MQTT topics and Kafka keys: letters, digits and . _ : - only. */
export const deviceIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'a device id may hold only letters, digits and . _ : -');

/** A device to register (API body, CLI arguments, one row of an import file). */
export const newDeviceSchema = z.object({
  id: deviceIdSchema,
  kind: z.enum(DEVICE_KINDS),
  homeUnitId: z.string().min(1).max(64).nullable().default(null),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type NewDevice = z.input<typeof newDeviceSchema>;

/** A registered device as administrators see it (never its token or hash). */
export const deviceInfoSchema = z.object({
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  homeUnitId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  tokenRotatedAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime().nullable(),
  lastPosition: z.object({ lon: z.number(), lat: z.number() }).nullable(),
});
export type DeviceInfo = z.infer<typeof deviceInfoSchema>;

/** Filters for `list`; absent means any. */
export interface DeviceFilter {
  kind?: DeviceKind;
  disabled?: boolean;
  /** Ids starting with this. */
  prefix?: string;
  limit?: number;
  offset?: number;
}

/** Result of registering one device of an import. The token is shown once and never stored. */
export const importResultSchema = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('created'), token: z.string() }),
  z.object({ id: z.string(), status: z.literal('exists') }),
]);
export type ImportResult = z.infer<typeof importResultSchema>;

/**
 * Parses a device import file (pure). JSON: an array of devices or `{ "devices": [...] }`.
 * CSV: a header row naming `id`, `kind` and optionally `homeUnitId`; any other column goes into
 * the device's metadata. Every problem is reported with its row, and nothing is imported when
 * any row is bad.
 */
export function parseDeviceImport(text: string, format: 'json' | 'csv'): z.output<typeof newDeviceSchema>[] {
  if (format === 'csv') return validateDeviceRows(csvRecords(text), 'CSV');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GwError('GW_DEVICE_IMPORT_INVALID', `Reading the device import (JSON): ${(err as Error).message}`);
  }
  return validateDeviceRows(Array.isArray(json) ? json : (json as { devices?: unknown } | null)?.devices, 'JSON');
}

/** Validates import rows (pure): every problem is reported with its row; any problem fails the whole import. */
export function validateDeviceRows(rows: unknown, format: string): z.output<typeof newDeviceSchema>[] {
  if (!Array.isArray(rows)) {
    throw new GwError('GW_DEVICE_IMPORT_INVALID', `Reading the device import (${format}): expected an array of devices or {"devices": [...]}`);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const out = rows.flatMap((row, i) => {
    const r = newDeviceSchema.safeParse(row);
    if (!r.success) {
      problems.push(...describeIssues(r.error.issues).map((p) => `row ${i + 1}: ${p}`));
      return [];
    }
    if (seen.has(r.data.id)) problems.push(`row ${i + 1}: id ${r.data.id} appears twice`);
    seen.add(r.data.id);
    return [r.data];
  });
  if (problems.length) {
    throw new GwError('GW_DEVICE_IMPORT_INVALID', `Reading the device import (${format}): ${problems.slice(0, 20).join('; ')}`, { problems });
  }
  return out;
}

/** CSV (read by `readCsv`) into one object per data row. */
function csvRecords(text: string): Record<string, unknown>[] {
  let rows: string[][];
  try {
    rows = readCsv(text);
  } catch (err) {
    throw new GwError('GW_DEVICE_IMPORT_INVALID', `Reading the device import (CSV): ${(err as Error).message}`);
  }
  const [header, ...data] = rows.filter((r) => r.some((f) => f.trim() !== ''));
  if (!header) throw new GwError('GW_DEVICE_IMPORT_INVALID', 'Reading the device import (CSV): the file is empty');
  const names = header.map((h) => h.trim());
  for (const need of ['id', 'kind']) {
    if (!names.includes(need)) throw new GwError('GW_DEVICE_IMPORT_INVALID', `Reading the device import (CSV): the header has no "${need}" column`);
  }
  return data.map((cells) => {
    const rec: Record<string, unknown> = { metadata: {} };
    names.forEach((name, j) => {
      const v = (cells[j] ?? '').trim();
      if (name === 'id' || name === 'kind') rec[name] = v;
      else if (name === 'homeUnitId') rec.homeUnitId = v || null;
      else if (v !== '') (rec.metadata as Record<string, string>)[name] = v;
    });
    return rec;
  });
}

type DeviceRow = {
  id: string;
  kind: DeviceKind;
  home_unit_id: string | null;
  metadata: Record<string, unknown>;
  disabled: boolean;
  created_at: Date;
  token_rotated_at: Date;
  last_seen_at: Date | null;
  lon: number | null;
  lat: number | null;
};

const toInfo = (r: DeviceRow): DeviceInfo => ({
  id: r.id,
  kind: r.kind,
  homeUnitId: r.home_unit_id,
  metadata: r.metadata,
  disabled: r.disabled,
  createdAt: r.created_at.toISOString(),
  tokenRotatedAt: r.token_rotated_at.toISOString(),
  lastSeenAt: r.last_seen_at?.toISOString() ?? null,
  lastPosition: r.lon === null || r.lat === null ? null : { lon: r.lon, lat: r.lat },
});

/**
 * Cache lifetimes and guessing budgets. Changes made through this registry apply at once;
 * changes made by another process (the CLI) within the cache lifetimes.
 */
export interface RegistryCacheOptions {
  /** How long a verified token is trusted without looking it up again. */
  authTtlMs: number;
  /** How long a refused id/token pair is refused without asking the database again. */
  refusedTtlMs: number;
  /** How long a device's kind and disabled flag are trusted by decoding. */
  identityTtlMs: number;
  /** Entries kept per cache; the oldest go first. */
  maxEntries: number;
  /**
   * Token checks for one device within `failureWindowMs`, counted when they start and cleared by
   * a success, after which its failures are answered GW_AUTH_THROTTLED and tokens stored as
   * scrypt hashes are no longer put through scrypt (a token verified before still is). A token
   * stored as a digest is always checked: it costs no KDF work.
   */
  maxFailures: number;
  failureWindowMs: number;
  /**
   * Failed device logins from one source address within `sourceWindowMs` after which that
   * address is refused unchecked (GW_AUTH_THROTTLED) for `sourceBlockMs`; a token this process
   * verified before still gets through.
   */
  maxSourceFailures: number;
  sourceWindowMs: number;
  sourceBlockMs: number;
  /** How long a device's last verified token is remembered as one that may pass a budget (it is still checked). */
  knownTtlMs: number;
}

const DEFAULT_CACHE: RegistryCacheOptions = {
  authTtlMs: 60_000,
  refusedTtlMs: 10_000,
  identityTtlMs: 30_000,
  maxEntries: 50_000,
  maxFailures: 20,
  failureWindowMs: 10_000,
  maxSourceFailures: 30,
  sourceWindowMs: 60_000,
  sourceBlockMs: 300_000,
  knownTtlMs: 24 * 3600_000,
};

/** How device tokens are stored from migration 051 on: their SHA-256 (a 192-bit random token needs no KDF). */
const DIGEST_PREFIX = 'sha256$';
const storedDigest = (token: string): string => `${DIGEST_PREFIX}${sha256(token)}`;

/** A Map with expiry and a size bound (oldest insertions evicted first). */
class TtlCache<V> {
  private entries = new Map<string, { value: V; until: number }>();
  constructor(private readonly max: number) {}
  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V, until: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until });
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  deleteWhere(test: (key: string) => boolean): void {
    for (const k of this.entries.keys()) if (test(k)) this.entries.delete(k);
  }
}

/**
 * Failures counted per key in a fixed window; at `max` the key is blocked until the window
 * ends, or for `blockMs` from then when that is longer.
 */
class FailureWindow {
  private readonly counts: TtlCache<{ n: number; until: number }>;
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly blockMs: number,
    maxEntries: number,
  ) {
    this.counts = new TtlCache(maxEntries);
  }
  /** Milliseconds until `key` may try again; 0 when it is within its budget. */
  blockedMs(key: string, now: number): number {
    const c = this.counts.get(key, now);
    return c && c.n >= this.max ? c.until - now : 0;
  }
  add(key: string, now: number): void {
    const c = this.counts.get(key, now) ?? { n: 0, until: now + this.windowMs };
    const n = c.n + 1;
    const until = n >= this.max ? Math.max(c.until, now + this.blockMs) : c.until;
    this.counts.set(key, { n, until }, until);
  }
  clear(key: string): void {
    this.counts.delete(key);
  }
}

/** GW_AUTH_THROTTLED for a device login, with the seconds to wait. */
function throttled(deviceId: string, source: string, why: string, ms: number): GwError {
  const retryAfterS = Math.max(1, Math.ceil(ms / 1000));
  return new GwError('GW_AUTH_THROTTLED', `Authenticating device ${deviceId} from ${source}: ${why}; retry in ${retryAfterS} s`, { retryAfterS });
}

/**
 * The device registry: registration, import, token rotation, disabling and listing, plus
 * the device-side authentication every transport uses. Tokens are random (192 bits), shown
 * once, and stored only as their SHA-256; a verified token is cached (as its digest, never in
 * clear) so the database is asked once per device and token a minute, not once per message.
 */
export class DeviceRegistry implements DeviceAuthenticator {
  private readonly opts: RegistryCacheOptions;
  /** deviceId → digest of the last verified token and the identity. */
  private readonly verified: TtlCache<{ digest: string; identity: DeviceIdentity }>;
  /** deviceId → digest of the last verified token, kept longer: it may pass a spent budget, never skip the check. */
  private readonly known: TtlCache<string>;
  /** deviceId\0digest of refused attempts: a repeated bad token is not looked up each time. */
  private readonly refused: TtlCache<true>;
  private readonly identityCache: TtlCache<DeviceIdentity | null>;
  /** Token checks per device not (yet) successful. */
  private readonly deviceFailures: FailureWindow;
  /** Failed device logins per source address. */
  private readonly sourceFailures: FailureWindow;
  private readonly pending = new Map<string, Promise<DeviceIdentity | null>>();

  constructor(
    private readonly pool: pg.Pool,
    opts: Partial<RegistryCacheOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...DEFAULT_CACHE, ...opts };
    const o = this.opts;
    this.verified = new TtlCache(o.maxEntries);
    this.known = new TtlCache(o.maxEntries);
    this.refused = new TtlCache(o.maxEntries);
    this.identityCache = new TtlCache(o.maxEntries);
    this.deviceFailures = new FailureWindow(o.maxFailures, o.failureWindowMs, 0, o.maxEntries);
    this.sourceFailures = new FailureWindow(o.maxSourceFailures, o.sourceWindowMs, o.sourceBlockMs, o.maxEntries);
  }

  /** Registers one device and returns its token (shown once). A taken id is GW_CONFLICT. */
  async register(input: NewDevice): Promise<{ device: DeviceInfo; token: string }> {
    const d = newDeviceSchema.parse(input);
    const [result] = await this.importDevices([d]);
    if (result!.status === 'exists') throw new GwError('GW_CONFLICT', `Registering device ${d.id}: the id is taken`);
    return { device: await this.get(d.id), token: result!.token };
  }

  /**
   * Registers many devices in one transaction (all or nothing). Ids that already exist are
   * reported as `exists` and left untouched, so re-running an import is harmless.
   */
  async importDevices(devices: readonly NewDevice[]): Promise<ImportResult[]> {
    const parsed = devices.map((d) => newDeviceSchema.parse(d));
    const tokens = parsed.map(() => randomSecret(24));
    const hashes = tokens.map(storedDigest);
    try {
      const results = await withTransaction(this.pool, async (client) => {
        const created: ImportResult[] = [];
        for (const [i, d] of parsed.entries()) {
          const { rowCount } = await client.query(sql.insert, [d.id, d.kind, hashes[i], d.homeUnitId, JSON.stringify(d.metadata)]);
          created.push(rowCount ? { id: d.id, status: 'created', token: tokens[i]! } : { id: d.id, status: 'exists' });
        }
        return created;
      });
      for (const d of parsed) this.invalidate(d.id);
      return results;
    } catch (err) {
      if ((err as { code?: string }).code === '23503') {
        throw new GwError('GW_DEVICE_IMPORT_INVALID', `Registering devices: ${(err as { detail?: string }).detail ?? 'a home unit does not exist'}`);
      }
      throw err;
    }
  }

  /** Issues a new token for a device (shown once); the old one stops working at once here. */
  async rotateToken(id: string): Promise<string> {
    const token = randomSecret(24);
    const { rowCount } = await this.pool.query(sql.rotate, [id, storedDigest(token)]);
    if (!rowCount) throw new GwError('GW_NOT_FOUND', `Rotating the token of device ${id}: no such device`);
    this.invalidate(id);
    return token;
  }

  /** Disables (or re-enables) a device: its token is refused and its events become dead letters. */
  async setDisabled(id: string, disabled: boolean): Promise<DeviceInfo> {
    const { rowCount } = await this.pool.query(sql.setDisabled, [id, disabled]);
    if (!rowCount) throw new GwError('GW_NOT_FOUND', `${disabled ? 'Disabling' : 'Enabling'} device ${id}: no such device`);
    this.invalidate(id);
    return this.get(id);
  }

  /** Replaces a device's registration metadata (permit, corridor, watched zones…) that detectors read. */
  async setMetadata(id: string, metadata: Record<string, unknown>): Promise<void> {
    const { rowCount } = await this.pool.query(sql.setMetadata, [id, JSON.stringify(metadata)]);
    if (!rowCount) throw new GwError('GW_NOT_FOUND', `Setting the metadata of device ${id}: no such device`);
  }

  /** Lists devices with last-seen time and position, ordered by id. */
  async list(filter: DeviceFilter = {}): Promise<DeviceInfo[]> {
    const { rows } = await this.pool.query<DeviceRow>(sql.list, [
      filter.kind ?? null,
      filter.disabled ?? null,
      null,
      filter.prefix ?? null,
      filter.limit ?? 1000,
      filter.offset ?? 0,
    ]);
    return rows.map(toInfo);
  }

  /** One device; GW_NOT_FOUND when unknown. */
  async get(id: string): Promise<DeviceInfo> {
    const { rows } = await this.pool.query<DeviceRow>(sql.list, [null, null, id, null, 1, 0]);
    if (!rows[0]) throw new GwError('GW_NOT_FOUND', `Looking up device ${id}: no such device`);
    return toInfo(rows[0]);
  }

  /**
   * DeviceAuthenticator: the identity for a correct id + token of an enabled device, else null;
   * throws GW_AUTH_THROTTLED (with `retryAfterS`) for a guesser. Device ids are not secret
   * (they are in MQTT topics), so a guesser must never lock a device out: a token that verifies
   * is accepted whatever the failure counts of its device, and one this process verified
   * before gets past a blocked source address too. What the budgets stop is the guessing:
   * - from one `source` address, after `maxSourceFailures` failures in `sourceWindowMs`, other
   *   tokens are refused unchecked for `sourceBlockMs`;
   * - for one device, after `maxFailures` unsuccessful checks in `failureWindowMs`, failures are
   *   answered as throttled, and a token stored as a scrypt hash (issued before migration 051)
   *   is put through scrypt only if it verified here before, so guesses cost no KDF work.
   */
  async authenticate(deviceId: string, token: string, source = 'unknown'): Promise<DeviceIdentity | null> {
    if (!deviceIdSchema.safeParse(deviceId).success || token.length === 0 || token.length > 256) return null;
    const now = this.now();
    const digest = sha256(token);
    const hit = this.verified.get(deviceId, now);
    if (hit && hit.digest === digest) return hit.identity;
    const known = this.known.get(deviceId, now) === digest;
    if (!known) {
      const blocked = this.sourceFailures.blockedMs(source, now);
      if (blocked > 0) throw throttled(deviceId, source, 'too many failed device logins from this address', blocked);
    }
    const key = `${deviceId}\u0000${digest}`;
    let identity: DeviceIdentity | null = null;
    if (!this.refused.get(key, now)) {
      // Concurrent first requests with the same credentials share one check.
      let p = this.pending.get(key);
      if (!p) {
        const mayUseKdf = known || this.deviceFailures.blockedMs(deviceId, now) === 0;
        // Counted when started, not when failed, so a burst of guesses is capped too.
        this.deviceFailures.add(deviceId, now);
        p = this.verify(deviceId, token, digest, key, mayUseKdf).finally(() => this.pending.delete(key));
        this.pending.set(key, p);
      }
      identity = await p;
    }
    if (identity) return identity;
    const later = this.now();
    this.sourceFailures.add(source, later);
    const wait = Math.max(this.sourceFailures.blockedMs(source, later), this.deviceFailures.blockedMs(deviceId, later));
    if (wait > 0) throw throttled(deviceId, source, 'too many failed logins for this device or from this address', wait);
    return null;
  }

  private async verify(deviceId: string, token: string, digest: string, key: string, mayUseKdf: boolean): Promise<DeviceIdentity | null> {
    const { rows } = await this.pool.query<{ id: string; kind: DeviceKind; disabled: boolean; token_hash: string }>(sql.credentials, [deviceId]);
    const row = rows[0];
    let ok = false;
    if (row && !row.disabled) {
      if (row.token_hash.startsWith(DIGEST_PREFIX)) {
        const stored = Buffer.from(row.token_hash);
        const given = Buffer.from(`${DIGEST_PREFIX}${digest}`);
        ok = stored.length === given.length && crypto.timingSafeEqual(stored, given);
      } else if (!mayUseKdf) {
        // Over budget, a scrypt hash is not checked, nor the token remembered as refused: it may be right.
        return null;
      } else if (await verifySecret(token, row.token_hash)) {
        ok = true;
        // From now on this device's token is checked by digest. Only if nobody rotated it meanwhile.
        await this.pool.query(sql.upgradeHash, [deviceId, row.token_hash, storedDigest(token)]);
      }
    }
    const now = this.now();
    if (!ok || !row) {
      this.refused.set(key, true, now + this.opts.refusedTtlMs);
      return null;
    }
    this.deviceFailures.clear(deviceId);
    const identity: DeviceIdentity = { id: row.id, kind: row.kind, disabled: false };
    this.verified.set(deviceId, { digest, identity }, now + this.opts.authTtlMs);
    this.known.set(deviceId, digest, now + this.opts.knownTtlMs);
    return identity;
  }

  /**
   * Registrations of the named devices (kind, disabled), for the decoder's checks; unknown ids
   * are absent. One query for all cache misses of a batch.
   */
  async identities(ids: Iterable<string>): Promise<Map<string, DeviceIdentity>> {
    const now = this.now();
    const out = new Map<string, DeviceIdentity>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.identityCache.get(id, now);
      if (cached) out.set(id, cached);
      else if (cached === undefined) missing.push(id);
    }
    if (missing.length) {
      const { rows } = await this.pool.query<DeviceIdentity>(sql.identities, [missing]);
      const until = this.now() + this.opts.identityTtlMs;
      const found = new Map(rows.map((r) => [r.id, r]));
      for (const id of missing) {
        const identity = found.get(id) ?? null;
        this.identityCache.set(id, identity, until);
        if (identity) out.set(id, identity);
      }
    }
    return out;
  }

  /** Forgets everything cached about a device (after register, rotate, disable), failed attempts included. */
  invalidate(id: string): void {
    this.verified.delete(id);
    this.known.delete(id);
    this.identityCache.delete(id);
    this.deviceFailures.clear(id);
    this.refused.deleteWhere((k) => k.startsWith(`${id}\u0000`));
  }
}
