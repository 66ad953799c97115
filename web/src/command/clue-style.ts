/** Colours of the clue points by status, and their size by severity. */
const STATUS_RGBA: Record<string, [number, number, number, number]> = {
  new: [211, 47, 47, 235],
  dispatched: [245, 124, 0, 235],
  accepted: [251, 192, 45, 235],
  handling: [251, 192, 45, 235],
  feedback: [124, 179, 66, 235],
  verified: [56, 142, 60, 235],
  rejected: [142, 36, 170, 235],
  transferred: [30, 136, 229, 235],
  escalated: [69, 90, 100, 150],
  merged: [120, 144, 156, 120],
  closed: [120, 144, 156, 120],
};

/** The RGBA of a clue's point; a clue that left the user's scope is not drawn. */
export function statusColour(status: string, selected: boolean): [number, number, number, number] {
  if (selected) return [0, 0, 0, 255];
  if (status === 'left-scope') return [0, 0, 0, 0];
  return STATUS_RGBA[status] ?? [96, 96, 96, 235];
}

/** Point radius in pixels per severity. */
export const SEVERITY_RADIUS: Record<string, number> = { info: 3, low: 4, medium: 5, high: 7, critical: 9 };

/** A cluster's radius in pixels: grows with the log of its count. */
export function clusterRadius(count: number): number {
  return Math.min(32, 6 + 4 * Math.log10(1 + count) * 2);
}
