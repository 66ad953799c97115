import type { LocateResult } from '../../geo/types.js';
import { aggregate, groupKey } from '../clues/aggregate.js';
import type { StoredClue } from '../clues/stored-clue.js';
import { severityRank, type Alert } from '../detection/alert.js';
import type { RouteDecision } from '../routing/route-clue.js';

/** An alert with where it is and where routing sent it. */
export interface RoutedAlert {
  alert: Alert;
  location: LocateResult;
  decision: RouteDecision;
  /** A clue this alert opens goes out to the routed unit at once (the pipeline's `autoDispatch`). */
  dispatch?: boolean;
}

/** A clue a batch opens or changes. New clues have no id and a placeholder code until stored. */
export interface PlannedClue {
  clue: Omit<StoredClue, 'id'>;
  /** The stored id; undefined for a clue this batch opens. */
  id: number | undefined;
  /** The alerts of this batch that opened or joined it, in time order. */
  alerts: RoutedAlert[];
}

/** Placeholder code of the n-th clue a batch opens; the writer replaces it with a real one. */
const pendingCode = (n: number) => `pending-${n}`;

/** What a clue keeps of the alert that opened it, or of the one that last raised its severity. */
const detailsOf = (alert: Alert): Record<string, unknown> => ({ ...alert.details, evidence: alert.evidence });

/** The stored clue a new alert opens: the pure clue plus place, device, item name and evidence. */
function opened(clue: ReturnType<typeof aggregate> & { action: 'open' }, { alert, location, decision, dispatch }: RoutedAlert, code: string): Omit<StoredClue, 'id'> {
  return {
    ...clue.clue,
    ...(dispatch ? { status: 'dispatched' as const } : {}),
    code,
    review: alert.disposition === 'review',
    itemName: decision.item?.name ?? null,
    communityCode: location.community?.code ?? null,
    gridCode: location.grid?.code ?? null,
    device: { id: alert.deviceId, kind: alert.deviceKind },
    details: detailsOf(alert),
  };
}

/**
 * Folds a batch's routed alerts, in time order, into clues with the pure `aggregate`: each
 * alert joins an open clue (stored, or opened earlier in the same batch) or opens one. Review
 * alerts and confident ones never share a clue, so a plate read that needs checking cannot
 * hide in, or be hidden by, a confirmed clue. An alert that raises a clue's severity replaces
 * its details with its own reading, as it replaces the summary. Pure: `open` are the stored open clues of the
 * batch's group keys; the result lists only clues that changed.
 */
export function planClues(open: readonly StoredClue[], routed: readonly RoutedAlert[], now: number): PlannedClue[] {
  const byKey = new Map<string, PlannedClue[]>();
  const changed = new Set<PlannedClue>();
  for (const c of open) {
    const list = byKey.get(c.groupKey) ?? [];
    list.push({ clue: c, id: c.id, alerts: [] });
    byKey.set(c.groupKey, list);
  }
  let opens = 0;
  for (const r of [...routed].sort((a, b) => a.alert.ts - b.alert.ts)) {
    const key = groupKey(r.alert, r.decision);
    const review = r.alert.disposition === 'review';
    const candidates = (byKey.get(key) ?? []).filter((p) => p.clue.review === review);
    // The sequence is assigned when the batch is stored; aggregate only needs a number.
    const result = aggregate(candidates.map((p) => p.clue), r.alert, r.decision, now, 0);
    if (result.action === 'join') {
      const planned = candidates.find((p) => p.clue.code === result.clueCode)!;
      // An upgrade (gas low → high) shows the reading that caused it, as the summary does.
      const upgraded = severityRank(r.alert.severity) > severityRank(planned.clue.severity);
      planned.clue = { ...planned.clue, ...result.patch, ...(upgraded ? { details: detailsOf(r.alert) } : {}) };
      planned.alerts.push(r);
      changed.add(planned);
    } else {
      const planned: PlannedClue = { clue: opened(result, r, pendingCode(++opens)), id: undefined, alerts: [r] };
      byKey.set(key, [...(byKey.get(key) ?? []), planned]);
      changed.add(planned);
    }
  }
  return [...changed];
}
