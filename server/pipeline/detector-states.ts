import type pg from 'pg';
import { loadSql } from '../../db/sql.js';
import type { DetectorState } from '../rules/detect.js';

const LIST = loadSql(new URL('./sql/list-detector-states.sql', import.meta.url));

/**
 * Detector state per state key, in memory for the hot path and restored from
 * `detector_states` at start-up. A batch works on its own copy of what it changes and calls
 * `commit` only after its transaction (which stored the same states) has committed, so a
 * failed batch leaves memory and database in agreement.
 */
export class DetectorStates {
  private readonly states = new Map<string, DetectorState>();

  /** Loads every stored state (start-up). */
  async load(pool: pg.Pool): Promise<number> {
    const { rows } = await pool.query<{ state_key: string; state: DetectorState }>(LIST);
    for (const r of rows) this.states.set(r.state_key, r.state);
    return rows.length;
  }

  /** The committed state under `key` (undefined for a key never seen). */
  get(key: string): DetectorState | undefined {
    return this.states.get(key);
  }

  /** Makes a committed batch's states current. */
  commit(changes: Iterable<{ key: string; state: DetectorState }>): void {
    for (const c of changes) this.states.set(c.key, c.state);
  }

  /** Drops states the database no longer holds. */
  forget(keys: Iterable<string>): void {
    for (const k of keys) this.states.delete(k);
  }

  /** Every state of one detector kind, with its key (the silence timer's sweep). */
  *ofKind<K extends DetectorState['kind']>(kind: K): Generator<[string, Extract<DetectorState, { kind: K }>]> {
    for (const [key, state] of this.states) if (state.kind === kind) yield [key, state as Extract<DetectorState, { kind: K }>];
  }
}
