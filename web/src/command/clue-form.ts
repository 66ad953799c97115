/** Below this zoom the map shows the server's clusters, not single clues. */
export const CLUSTER_BELOW_ZOOM = 11;

/**
 * The most clues the map draws as points at once. Past it the view shows the server's clusters
 * however far it is zoomed in: in software WebGL (SwiftShader, the command centre's thin clients
 * and the bench) 100,000 points took about 1.3 s a frame (docs/BENCHMARKS.md, "Map"), and a
 * hundred thousand dots cannot be told apart on a screen anyway. docs/DESIGN.md §10 checked a
 * ScatterplotLayer over 20,000 points in the same setup at 16.7 ms a frame.
 */
export const POINTS_BUDGET = 20_000;

/**
 * How the clue layer draws a view: as the server's clusters when zoomed out or when more than
 * POINTS_BUDGET clues are in view, else every clue as a point. `inView` is null while the feed
 * is still loading (the zoom alone decides then).
 */
export function clueForm(zoom: number, inView: number | null): 'clusters' | 'points' {
  if (zoom < CLUSTER_BELOW_ZOOM) return 'clusters';
  return inView !== null && inView > POINTS_BUDGET ? 'clusters' : 'points';
}
