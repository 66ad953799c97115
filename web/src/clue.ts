import type { components } from './api-types.js';

/**
 * A clue as GET /api/v1/clues returns it, with its status and severity: the types generated from
 * the server's OpenAPI document (`npm run api:types`), so the UI states no contract of its own.
 */
export type Clue = components['schemas']['ClueView'];
export type ClueStatus = components['schemas']['ClueStatus'];
export type Severity = components['schemas']['Severity'];

/** Statuses after which a deadline no longer runs (FINAL_STATUSES on the server). */
export const FINAL_STATUSES: ReadonlySet<ClueStatus> = new Set<ClueStatus>(['closed', 'escalated', 'merged']);

/** Colour per severity, shared by map points and list chips so the two read alike. */
export const SEVERITY_COLOURS: Record<Severity, [number, number, number]> = {
  info: [120, 144, 156],
  low: [30, 136, 229],
  medium: [251, 192, 45],
  high: [245, 124, 0],
  critical: [211, 47, 47],
};

/** `rgb(…)` for CSS. */
export function severityCss(s: Severity): string {
  return `rgb(${SEVERITY_COLOURS[s].join(',')})`;
}
