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
  /** The layer's data; a new object after each change. */
  data!: CluePointData;

  constructor(private readonly store: ClueColumnStore) {
    const n = store.cols.count;
    this.grow(n);
    for (let i = 0; i < n; i++) this.write(i);
    this.publish();
  }

  /** Re-reads the clue `code` after the store applied a diff to it (appending it when new). */
  update(code: string): void {
    const row = this.store.rowOf(code);
    if (row === undefined) return;
    if (row >= this.radii.length) this.grow(Math.max(16, 2 * this.radii.length));
    this.write(row);
    this.publish();
  }

  /** Draws the clue `code` as selected (and the one selected before as it was); nothing when unchanged. */
  select(code: string | null): void {
    if (code === this.selected) return;
    const before = this.selected === null ? undefined : this.store.rowOf(this.selected);
    this.selected = code;
    if (before !== undefined) this.write(before);
    const now = code === null ? undefined : this.store.rowOf(code);
    if (now !== undefined) this.write(now);
    this.publish();
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
   * New `data` over the current rows. New views (subarray) and wrappers too: deck.gl skips the
   * upload of an attribute whose value is the very object it had.
   */
  private publish(): void {
    const n = this.store.cols.count;
    this.data = {
      length: n,
      attributes: {
        getPosition: { value: this.positions.subarray(0, 2 * n), size: 2 },
        getFillColor: { value: this.colours.subarray(0, 4 * n), size: 4 },
        getRadius: { value: this.radii.subarray(0, n), size: 1 },
      },
    };
  }
}
