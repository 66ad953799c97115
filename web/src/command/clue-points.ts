import type { ClueColumnStore } from '../clue-feed-bin.js';
import { SEVERITY_RADIUS, statusColour } from './clue-style.js';

/** A binary attribute of the clue layer, as deck.gl takes it in `data.attributes`. */
interface Attribute<T> {
  value: T;
  size: number;
}

/** The clue layer's data: a count and its attributes, no object per clue. */
export interface CluePointData {
  length: number;
  attributes: { getPosition: Attribute<Float32Array>; getFillColor: Attribute<Uint8Array>; getRadius: Attribute<Float32Array> };
}

/**
 * The clue layer's GPU attributes (positions, colours, radii) as typed arrays, built once from
 * the feed's columns and patched one row at a time as the live diffs arrive. deck.gl then
 * uploads three buffers when a clue changes, instead of calling three accessors for each of
 * 100,000 clues; and `data` stays the same object while no clue changed (deck.gl compares it by
 * reference), so a truck moving or a boundary loading costs the clue layer nothing.
 */
export class CluePoints {
  private positions = new Float32Array(0);
  private colours = new Uint8Array(0);
  private radii = new Float32Array(0);
  private selected: string | null = null;
  /** The box [west, south, east, north] the layer draws, or null for every clue. */
  private box: readonly [number, number, number, number] | null = null;
  /** The clue row of each drawn point, when a box leaves some out (else the point's index is its row). */
  private rows: Uint32Array | null = null;
  /** The data last built, or null after a change: built again when next read, so a burst of diffs between two frames costs one build. */
  private built: CluePointData | null = null;

  constructor(private readonly store: ClueColumnStore) {
    const n = store.cols.count;
    this.grow(n);
    for (let i = 0; i < n; i++) this.write(i);
  }

  /** The layer's data: the same object while nothing changed, a new one after a change. */
  get data(): CluePointData {
    this.built ??= this.publish();
    return this.built;
  }

  /** Re-reads the clue `code` after the store applied a diff to it (appending it when new). */
  update(code: string): void {
    const row = this.store.rowOf(code);
    if (row === undefined) return;
    if (row >= this.radii.length) this.grow(Math.max(16, 2 * this.radii.length));
    this.write(row);
    this.built = null;
  }

  /** Draws the clue `code` as selected (and the one selected before as it was); nothing when unchanged. */
  select(code: string | null): void {
    if (code === this.selected) return;
    const before = this.selected === null ? undefined : this.store.rowOf(this.selected);
    this.selected = code;
    if (before !== undefined) this.write(before);
    const now = code === null ? undefined : this.store.rowOf(code);
    if (now !== undefined) this.write(now);
    this.built = null;
  }

  /**
   * Draws only the clues inside `box` (null: all of them). Software WebGL pays for every point
   * handed to it, in view or not, so the map hands it the view and a margin, not the whole city.
   */
  setWindow(box: readonly [number, number, number, number] | null): void {
    this.box = box;
    this.built = null;
  }

  /** The clue code of a drawn point (deck.gl's picking index). */
  codeAt(index: number): string | undefined {
    void this.data; // the rows belong to the data deck.gl was given
    return this.store.cols.codes[this.rows ? this.rows[index]! : index];
  }

  private write(i: number): void {
    const c = this.store.cols;
    this.positions[2 * i] = c.lon[i]!;
    this.positions[2 * i + 1] = c.lat[i]!;
    this.colours.set(statusColour(c.statuses[c.status[i]!]!, c.codes[i] === this.selected), 4 * i);
    this.radii[i] = SEVERITY_RADIUS[c.severities[c.severity[i]!]!] ?? 4;
  }

  private grow(size: number): void {
    const positions = new Float32Array(2 * size);
    positions.set(this.positions);
    this.positions = positions;
    const colours = new Uint8Array(4 * size);
    colours.set(this.colours);
    this.colours = colours;
    const radii = new Float32Array(size);
    radii.set(this.radii);
    this.radii = radii;
  }

  /**
   * Builds `data` over the current rows, or over the rows inside the box (copied: about 1 ms for
   * 100,000 rows). New views (subarray) and wrappers too: deck.gl skips the upload of an
   * attribute whose value is the very object it had.
   */
  private publish(): CluePointData {
    const n = this.store.cols.count;
    if (!this.box) {
      this.rows = null;
      return this.dataOf(n, this.positions.subarray(0, 2 * n), this.colours.subarray(0, 4 * n), this.radii.subarray(0, n));
    }
    const [west, south, east, north] = this.box;
    const rows = new Uint32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const x = this.positions[2 * i]!;
      const y = this.positions[2 * i + 1]!;
      if (x >= west && x <= east && y >= south && y <= north) rows[k++] = i;
    }
    const positions = new Float32Array(2 * k);
    const colours = new Uint8Array(4 * k);
    const radii = new Float32Array(k);
    for (let j = 0; j < k; j++) {
      const i = rows[j]!;
      positions[2 * j] = this.positions[2 * i]!;
      positions[2 * j + 1] = this.positions[2 * i + 1]!;
      colours.set(this.colours.subarray(4 * i, 4 * i + 4), 4 * j);
      radii[j] = this.radii[i]!;
    }
    this.rows = rows.subarray(0, k);
    return this.dataOf(k, positions, colours, radii);
  }

  private dataOf(length: number, positions: Float32Array, colours: Uint8Array, radii: Float32Array): CluePointData {
    return { length, attributes: { getPosition: { value: positions, size: 2 }, getFillColor: { value: colours, size: 4 }, getRadius: { value: radii, size: 1 } } };
  }
}
