/**
 * A clue as GET /api/v1/clues returns it: the fields the map reads (the server's `clueView`
 * in server/clues/stored-clue.ts has them all; the HTTP API is the boundary, so the UI states
 * what it relies on here rather than importing server code).
 */
export interface Clue {
  code: string;
  status: ClueStatus;
  severity: Severity;
  item: { code: string; name: { zh: string; en: string } | null } | null;
  alertType: string;
  openedAt: string;
  lastSeen: string;
  deadline: string;
  primaryUnitId: string;
  coNotifiedUnitIds: string[];
  position: { lon: number; lat: number };
  summary: { zh: string; en: string };
  reasons: { rule: string; zh: string; en: string }[];
}

export type ClueStatus =
  | 'new'
  | 'dispatched'
  | 'accepted'
  | 'handling'
  | 'feedback'
  | 'verified'
  | 'closed'
  | 'rejected'
  | 'transferred'
  | 'escalated'
  | 'merged';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

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
