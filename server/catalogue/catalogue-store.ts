import type pg from 'pg';
import { GwError, describeIssues } from '../../core/errors.js';
import { every } from '../../core/every.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { defineQueries } from '../../db/sql.js';
import { withClient, withTransaction } from '../../db/transaction.js';
import { compileCatalogue, type CatalogueHistory } from './catalogue-at.js';
import {
  catalogueVersionSchema,
  catalogueVersionsSchema,
  unitsSchema,
  type CatalogueData,
  type CatalogueVersion,
  type Unit,
} from './model.js';
import { indexUnits, type UnitDirectory } from './units.js';
import { unitFromRow, unitToRow, type UnitRow } from './unit-rows.js';

const sql = defineQueries(import.meta.url, {
  listVersions: 'list-versions',
  insertVersions: 'insert-versions',
  lock: 'lock-catalogue',
  listUnits: 'list-units',
  upsertUnits: 'upsert-units',
  retireUnits: 'retire-units',
  revision: 'catalogue-revision',
});

/** How a catalogue version came in (catalogue_versions.source). */
export type CatalogueSource = 'json' | 'csv' | 'demo';

/** The catalogue and units as the router uses them: built once per change, swapped whole. */
export interface CatalogueState {
  versions: readonly CatalogueVersion[];
  history: CatalogueHistory;
  /** Units in service, by id. */
  units: readonly Unit[];
  directory: UnitDirectory;
}

/**
 * The city duty desk that receives every clue while no units have been imported: routing
 * needs a city-level co-ordination office, and an alert must never be dropped for want of one.
 */
const FALLBACK_DUTY_DESK: Unit = {
  kind: 'coordination-office',
  id: 'city-duty-desk',
  districtCode: null,
  name: { zh: '市指挥中心值班席', en: 'City command centre duty desk' },
};

/** Builds the in-memory state from versions and units (compile + index). */
function buildState(versions: CatalogueVersion[], units: Unit[]): CatalogueState {
  const routable = units.some((u) => u.kind === 'coordination-office' && u.districtCode === null) ? units : [...units, FALLBACK_DUTY_DESK];
  return { versions, history: compileCatalogue(versions), units, directory: indexUnits(routable) };
}

const canonical = (v: CatalogueVersion) => JSON.stringify(catalogueVersionSchema.parse(v));

/**
 * The catalogue (执法事项清单) and units, stored in PostGIS and held in memory for routing.
 * Imports are validated as a whole (the history with the new versions; the units as they
 * will stand), written in one transaction under an advisory lock (replicas serialise), and
 * then the in-memory state is rebuilt and swapped at once, like the locator: a batch routes
 * with the state it read at its start. `refreshIfChanged` lets a replica pick up another's
 * import.
 */
export class CatalogueStore {
  private state: CatalogueState = buildState([], []);
  private revision = '';

  constructor(
    private readonly pool: pg.Pool,
    private readonly log?: Logger,
  ) {}

  /** The current catalogue and units; hold on to the returned object for one batch. */
  current(): CatalogueState {
    return this.state;
  }

  /** Loads versions and units from the database and swaps them in. */
  async load(): Promise<CatalogueState> {
    return withClient(this.pool, async (client) => {
      const revision = await this.readRevision(client);
      const versions = await this.readVersions(client);
      const units = await this.readUnits(client);
      this.state = buildState(versions, units);
      this.revision = revision;
      return this.state;
    });
  }

  /** Reloads when the stored catalogue or units changed since the last load (another replica imported). */
  async refreshIfChanged(): Promise<boolean> {
    const { rows } = await this.pool.query(sql.revision);
    if (JSON.stringify(rows[0]) === this.revision) return false;
    await this.load();
    return true;
  }

  /**
   * Polls `refreshIfChanged` every `intervalMs` so this replica routes with imports made on
   * another; a failed refresh is logged and routing goes on with the loaded catalogue. Returns
   * the stop function (for shutdown), which waits for a refresh in progress.
   */
  watch(intervalMs: number): () => Promise<void> {
    const periodic = every('catalogue refresh', intervalMs, async () => void (await this.refreshIfChanged()), this.log ?? createLogger('silent'));
    return () => periodic.stop();
  }

  /**
   * Appends catalogue versions. A version already stored is accepted only if identical (so
   * re-running an import is harmless), otherwise GW_CATALOGUE_VERSION_CONFLICT; new versions
   * must follow the latest stored one in number and date. The whole resulting history is
   * validated (`catalogueVersionsSchema`): GW_CATALOGUE_INVALID lists every problem. Returns
   * the versions it added.
   */
  async appendVersions(input: readonly CatalogueVersion[], source: CatalogueSource, importedBy: string | null): Promise<CatalogueVersion[]> {
    return this.change((client) => this.appendIn(client, input, source, importedBy));
  }

  /**
   * Imports units: inserted or replaced by id; with `replace`, units in service that the import
   * leaves out are retired (kept for the record, routing nothing). The units as they will stand
   * are validated as a whole (`unitsSchema`: unique ids, a city co-ordination office).
   */
  async importUnits(units: readonly Unit[], options: { replace: boolean }): Promise<{ imported: number; retired: number }> {
    return this.change((client) => this.unitsIn(client, units, options.replace));
  }

  /** Imports units and versions together, all or nothing (a JSON `{versions, units}` file, the demo seed). */
  async importData(data: CatalogueData, source: CatalogueSource, importedBy: string | null): Promise<{ added: CatalogueVersion[]; units: number }> {
    return this.change(async (client) => {
      const { imported } = await this.unitsIn(client, data.units, false);
      return { added: await this.appendIn(client, data.versions, source, importedBy), units: imported };
    });
  }

  private async appendIn(client: pg.PoolClient, input: readonly CatalogueVersion[], source: CatalogueSource, importedBy: string | null): Promise<CatalogueVersion[]> {
    const stored = await this.readVersions(client);
    const byNumber = new Map(stored.map((v) => [v.version, v]));
    const latest = stored.at(-1);
    const fresh: CatalogueVersion[] = [];
    for (const v of [...input].sort((a, b) => a.version - b.version)) {
      const existing = byNumber.get(v.version);
      if (existing) {
        if (canonical(existing) !== canonical(v))
          throw new GwError('GW_CATALOGUE_VERSION_CONFLICT', `Importing catalogue version ${v.version}: it is already stored with other content; import a new version instead`);
        continue;
      }
      if (latest && v.version < latest.version)
        throw new GwError('GW_CATALOGUE_VERSION_CONFLICT', `Importing catalogue version ${v.version}: versions must follow the latest stored one (v${latest.version})`);
      fresh.push(v);
    }
    if (fresh.length === 0) return [];
    const checked = catalogueVersionsSchema.safeParse([...stored, ...fresh]);
    if (!checked.success) {
      const problems = describeIssues(checked.error.issues);
      throw new GwError('GW_CATALOGUE_INVALID', `Importing catalogue version(s) ${fresh.map((v) => v.version).join(', ')}: ${problems.join('; ')}`, { problems });
    }
    const rows = fresh.map((v) => ({ version: v.version, effective_from: v.effectiveFrom, note_zh: v.note.zh, note_en: v.note.en, data: v }));
    await client.query(sql.insertVersions, [JSON.stringify(rows), source, importedBy]);
    this.log?.info({ versions: fresh.map((v) => v.version), source, importedBy }, 'catalogue versions imported');
    return fresh;
  }

  private async unitsIn(client: pg.PoolClient, units: readonly Unit[], replace: boolean): Promise<{ imported: number; retired: number }> {
    const current = await this.readUnits(client);
    const incoming = new Set(units.map((u) => u.id));
    const resulting = replace ? [...units] : [...current.filter((u) => !incoming.has(u.id)), ...units];
    const checked = unitsSchema.safeParse(resulting);
    if (!checked.success) {
      const problems = describeIssues(checked.error.issues);
      throw new GwError('GW_CATALOGUE_INVALID', `Importing ${units.length} unit(s): ${problems.join('; ')}`, { problems });
    }
    await client.query(sql.upsertUnits, [JSON.stringify(units.map(unitToRow))]);
    const retired = replace ? (await client.query(sql.retireUnits, [units.map((u) => u.id)])).rowCount ?? 0 : 0;
    this.log?.info({ imported: units.length, retired }, 'units imported');
    return { imported: units.length, retired };
  }

  /** Runs a change in one transaction under the import lock, then reloads the in-memory state. */
  private async change<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const result = await this.inTransaction(work);
    await this.load();
    return result;
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      await client.query(sql.lock);
      return work(client);
    });
  }

  private async readRevision(client: pg.PoolClient): Promise<string> {
    const { rows } = await client.query(sql.revision);
    return JSON.stringify(rows[0]);
  }

  private async readVersions(client: pg.PoolClient): Promise<CatalogueVersion[]> {
    const { rows } = await client.query<{ version: number; data: unknown }>(sql.listVersions);
    return rows.map((r) => catalogueVersionSchema.parse(r.data));
  }

  /** Units in service; a row that no longer validates is logged and left out, not fatal. */
  private async readUnits(client: pg.PoolClient): Promise<Unit[]> {
    const { rows } = await client.query<UnitRow>(sql.listUnits);
    const units: Unit[] = [];
    for (const row of rows) {
      const parsed = unitFromRow(row);
      if (parsed.success) units.push(parsed.data);
      else this.log?.warn({ unit: row.id, problems: describeIssues(parsed.error.issues) }, 'unit row left out of routing: it does not validate');
    }
    return units;
  }
}
