import { maxSeverity, severityRank, type Alert } from '../detection/alert.js';
import type { RouteDecision } from '../routing/route-clue.js';
import { localDateCompact } from '../detection/time-window.js';
import { FINAL_STATUSES, type Clue } from './clue.js';

/** What to do with an alert: update an open clue, or open a new one. */
export type AggregateResult =
  | { action: 'join'; clueCode: string; patch: Pick<Clue, 'alertCount' | 'lastSeen' | 'severity' | 'summary'> }
  | { action: 'open'; clue: Clue };

/** District part of clue codes when the alert is in no district (the city duty desk's clues). */
export const NO_DISTRICT_CODE = '000000';
const MINUTE_MS = 60_000;

/** The key alerts are grouped by: same item (or, with none, same alert type) at the same asset. */
export function groupKey(alert: Alert, decision: RouteDecision): string {
  return `${decision.item?.code ?? alert.type}|${alert.assetKey}`;
}

/** A clue code: district code, local (UTC+8) date of `at`, and a four-digit sequence. */
export function clueCode(districtCode: string | null, at: number, sequence: number): string {
  return `${districtCode ?? NO_DISTRICT_CODE}-${localDateCompact(at)}-${String(sequence).padStart(4, '0')}`;
}

/**
 * Deduplicates an alert into the clues (线索归并). It joins an open clue with the same group
 * key whose window (the item's `windowMin`, fixed when the clue opened) covers the alert's
 * time, measured from the clue's first and last alerts so late arrivals join too; of several,
 * the most recently seen. Joining bumps the count and last-seen time and keeps the highest
 * severity (a rising gas level upgrades the clue and its summary). Otherwise it opens a clue
 * coded with `sequence`, the caller's next number for the district and day, with the
 * decision's units, reasons and deadline. Routing stays as first decided; re-routing is an
 * operator's action (lifecycle).
 */
export function aggregate(
  openClues: readonly Clue[],
  alert: Alert,
  decision: RouteDecision,
  now: number,
  sequence: number,
): AggregateResult {
  const key = groupKey(alert, decision);
  const match = openClues
    .filter(
      (c) =>
        c.groupKey === key &&
        !FINAL_STATUSES.includes(c.status) &&
        alert.ts <= c.lastSeen + c.windowMin * MINUTE_MS &&
        alert.ts >= c.firstSeen - c.windowMin * MINUTE_MS,
    )
    .sort((a, b) => b.lastSeen - a.lastSeen)[0];
  if (match) {
    const severity = maxSeverity(match.severity, alert.severity);
    const upgraded = severityRank(alert.severity) > severityRank(match.severity);
    return {
      action: 'join',
      clueCode: match.code,
      patch: {
        alertCount: match.alertCount + 1,
        lastSeen: Math.max(match.lastSeen, alert.ts),
        severity,
        summary: upgraded ? alert.summary : match.summary,
      },
    };
  }
  return {
    action: 'open',
    clue: {
      code: clueCode(decision.districtCode, now, sequence),
      groupKey: key,
      itemCode: decision.item?.code ?? null,
      alertType: alert.type,
      assetKey: alert.assetKey,
      catalogueVersion: decision.catalogueVersion,
      status: 'new',
      severity: alert.severity,
      alertCount: 1,
      firstSeen: alert.ts,
      lastSeen: alert.ts,
      openedAt: now,
      deadline: decision.deadline,
      windowMin: decision.windowMin,
      primaryUnitId: decision.primaryUnit.id,
      coNotifiedUnitIds: decision.coNotified.map((u) => u.id),
      boardUnitIds: decision.boards.map((u) => u.id),
      districtCode: decision.districtCode,
      townCode: decision.townCode,
      position: alert.position,
      needsConfirmation: decision.needsConfirmation,
      reasons: decision.reasons,
      summary: alert.summary,
      rejectedBy: [],
      closedAtSource: false,
    },
  };
}
