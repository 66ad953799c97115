import { MapboxOverlay } from '@deck.gl/mapbox';
import { ScatterplotLayer } from '@deck.gl/layers';
import type { Map } from 'maplibre-gl';
import { SEVERITY_COLOURS, type Clue } from './clue.js';

/**
 * The clue points: one deck.gl ScatterplotLayer over the map, so tens of thousands of points
 * (docs/DESIGN.md §9: smooth at 100k) are GPU attributes rather than DOM markers.
 */
export class ClueLayer {
  private readonly overlay: MapboxOverlay;
  private clues: readonly Clue[] = [];
  private selected: string | null = null;

  /** Adds the overlay to `map`; `onPick` gets the code of a clicked point. */
  constructor(map: Map, private readonly onPick: (code: string) => void) {
    this.overlay = new MapboxOverlay({ layers: [] });
    map.addControl(this.overlay);
  }

  /** Draws `clues`, the one with code `selected` ringed. */
  update(clues: readonly Clue[], selected: string | null = this.selected): void {
    this.clues = clues;
    this.selected = selected;
    this.overlay.setProps({
      layers: [
        new ScatterplotLayer<Clue>({
          id: 'clues',
          data: this.clues,
          getPosition: (c) => [c.position.lon, c.position.lat],
          getFillColor: (c) => SEVERITY_COLOURS[c.severity],
          getRadius: (c) => (c.code === this.selected ? 9 : 6),
          getLineColor: (c) => (c.code === this.selected ? [20, 20, 20] : [255, 255, 255]),
          getLineWidth: (c) => (c.code === this.selected ? 3 : 1),
          radiusUnits: 'pixels',
          lineWidthUnits: 'pixels',
          stroked: true,
          pickable: true,
          // Accessors read `selected`: re-evaluate them when it changes, not on every frame.
          updateTriggers: { getRadius: this.selected, getLineColor: this.selected, getLineWidth: this.selected },
          onClick: ({ object }) => {
            if (object) this.onPick(object.code);
            return true;
          },
        }),
      ],
    });
  }

  /** Rings the clue with this code (or none). */
  select(code: string | null): void {
    this.update(this.clues, code);
  }
}
