/**
 * Wraps `draw` so that however often it is asked for between two animation frames, it runs once,
 * at the next frame. A burst of live diffs (a deadline sweep can send thousands a second) then
 * costs the map one layer update per frame instead of one per diff: deck.gl re-reads a layer's
 * attributes (100,000 clues) on each update, so one per diff keeps the page from ever drawing.
 * `schedule` is requestAnimationFrame in the page.
 */
export function oncePerFrame(draw: () => void, schedule: (run: () => void) => unknown = requestAnimationFrame): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    schedule(() => {
      // Cleared first: a request made by `draw` itself waits for the frame after.
      pending = false;
      draw();
    });
  };
}
