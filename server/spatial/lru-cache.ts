/**
 * A small least-recently-used map: at most `capacity` entries, the one unused the longest goes
 * first. The layer tiles keep their tile indexes in one (a few MB each for a city's grid).
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LruCache capacity must be at least 1 (got ${capacity})`);
  }

  /** The value under `key`, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting moves the key to the young end.
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  /** Stores `value` as the most recently used, evicting the oldest entry beyond capacity. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  /** Removes every entry `drop` says yes to (e.g. those of an outdated version). */
  deleteWhere(drop: (key: K) => boolean): void {
    for (const k of [...this.entries.keys()]) if (drop(k)) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
