/** A label the map may draw: its text, its anchor (lon, lat) and its font size in pixels. */
export interface LabelCandidate {
  name: string;
  position: [number, number];
  size: number;
}

type Box = [number, number, number, number];

/** Extra room kept free around each label's box, in pixels, so neighbours stay readable. */
const GAP = 4;

/**
 * The labels to draw in a view of `width` × `height` pixels: those whose box, centred on
 * `project(position)`, lies in the view and overlaps no label placed before it. `labels` come in
 * order of priority (coarser layers first), so a district's name wins over a town's and a town's
 * over a grid cell's. A label's box is its text's width at about one em per character (the names
 * are Chinese; a Latin letter is narrower, so the box errs on the side of room) by one em.
 * A uniform grid of buckets keeps this near linear in the number of labels.
 */
export function placeLabels<T extends LabelCandidate>(labels: readonly T[], project: (p: [number, number]) => { x: number; y: number }, width: number, height: number): T[] {
  const cell = 64;
  const cols = Math.max(1, Math.ceil(width / cell));
  const buckets = new Map<number, Box[]>();
  const placed: T[] = [];
  for (const label of labels) {
    const { x, y } = project(label.position);
    const halfW = (label.name.length * label.size) / 2 + GAP;
    const halfH = label.size / 2 + GAP;
    const box: Box = [x - halfW, y - halfH, x + halfW, y + halfH];
    if (box[2] < 0 || box[3] < 0 || box[0] > width || box[1] > height) continue;
    const c0 = Math.max(0, Math.floor(box[0] / cell));
    const c1 = Math.min(cols - 1, Math.floor(box[2] / cell));
    const r0 = Math.max(0, Math.floor(box[1] / cell));
    const r1 = Math.floor(box[3] / cell);
    let free = true;
    for (let r = r0; r <= r1 && free; r++)
      for (let c = c0; c <= c1 && free; c++)
        for (const b of buckets.get(r * cols + c) ?? []) {
          if (b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3]) {
            free = false;
            break;
          }
        }
    if (!free) continue;
    placed.push(label);
    for (let r = r0; r <= r1; r++)
      for (let c = c0; c <= c1; c++) {
        const key = r * cols + c;
        const list = buckets.get(key);
        if (list) list.push(box);
        else buckets.set(key, [box]);
      }
  }
  return placed;
}
