import { z } from 'zod';
import { DEVICE_KINDS } from '../../ingest/device-event.js';
import { canSeePlace, type Scope } from '../auth/policy.js';
import { CLUE_STATUSES, FINAL_STATUSES } from '../clues/clue.js';
import type { ClueView } from '../clues/stored-clue.js';
import type { LocateResult } from '../../geo/types.js';

/**
 * The pure core of the live WebSocket (docs/LIVE.md): what one client sees of one clue event.
 * The hub keeps, per clue code, the clue as the previous outbox event left it; a client sees a
 * clue when the policy module lets its user see it (`canSeePlace` over the clue's place codes
 * and units) and its subscription filter matches. Comparing "visible before" with "visible
 * after" gives the diff: opened, changed (only the changed fields) or closed.
 *
 * A clue that leaves a client's view (transferred away from a unit-scoped user, or no longer
 * matching the filter) is sent as `closed` with reason `left-scope`, and nothing further about
 * it reaches that client until it comes back into view (then `opened` with every field).
 */

/** What a client narrows its stream to (all optional; absent = everything in scope). */
export const liveFilterSchema = z.strictObject({
  /** minLon,minLat,maxLon,maxLat (WGS84). */
  bbox: z
    .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
    .refine(([w, s, e, n]) => w <= e && s <= n, 'bbox must be minLon,minLat,maxLon,maxLat')
    .optional(),
  status: z.array(z.enum(CLUE_STATUSES)).min(1).max(CLUE_STATUSES.length).optional(),
  /** Device kinds: clues raised by, and positions of, these kinds of device. */
  kind: z.array(z.enum(DEVICE_KINDS)).min(1).max(DEVICE_KINDS.length).optional(),
});
export type LiveFilter = z.infer<typeof liveFilterSchema>;

/** Who is looking, and through which filter. */
export interface Viewer {
  scope: Scope;
  filter: LiveFilter;
}

/** A clue diff as a client receives it; `seq` is the outbox id of the event. */
export type ClueDiff =
  | { type: 'opened'; seq: number; code: string; fields: ClueView }
  | { type: 'changed'; seq: number; code: string; fields: Partial<ClueView> }
  | { type: 'closed'; seq: number; code: string; reason: 'ended' | 'left-scope'; status: ClueView['status'] };

/** Whether a point lies in a bbox (edges included). */
export function inBbox(bbox: LiveFilter['bbox'], p: { lon: number; lat: number }): boolean {
  return !bbox || (p.lon >= bbox[0] && p.lat >= bbox[1] && p.lon <= bbox[2] && p.lat <= bbox[3]);
}

/** Whether `viewer` sees `clue`: in scope by the policy module, and matching the filter. */
export function sees(viewer: Viewer, clue: ClueView): boolean {
  const { filter } = viewer;
  if (filter.status && !filter.status.includes(clue.status)) return false;
  if (filter.kind && !(clue.device && filter.kind.includes(clue.device.kind))) return false;
  if (!inBbox(filter.bbox, clue.position)) return false;
  return canSeePlace(viewer.scope, {
    codes: [clue.districtCode, clue.townCode, clue.communityCode, clue.gridCode],
    unitIds: [clue.primaryUnitId, ...clue.coNotifiedUnitIds, ...clue.boardUnitIds],
  });
}

/** The top-level fields of `next` that differ from `prev` (deep comparison by JSON). */
export function changedFields(prev: ClueView, next: ClueView): Partial<ClueView> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof ClueView)[]) {
    if (!sameJson(prev[key], next[key])) out[key] = next[key];
  }
  return out as Partial<ClueView>;
}

/** JSON equality; equal primitives (most fields) are settled without serialising (the hub's hot path). */
function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What `viewer` receives for the event `seq` that took a clue from `prev` (undefined when the
 * clue is new, or unknown) to `next`; null when nothing. A clue that ends (closed, merged,
 * escalated) is `closed` with reason `ended` for whoever saw it. Unchanged fields are not sent.
 */
export function diffFor(viewer: Viewer, seq: number, prev: ClueView | undefined, next: ClueView): ClueDiff | null {
  const before = prev !== undefined && sees(viewer, prev);
  const ended = FINAL_STATUSES.includes(next.status);
  // An ended clue is judged by scope only: a status filter must not hide its end.
  const after = ended ? before && sees({ ...viewer, filter: { ...viewer.filter, status: undefined } }, next) : sees(viewer, next);
  if (ended) return before ? { type: 'closed', seq, code: next.code, reason: after ? 'ended' : 'left-scope', status: next.status } : null;
  if (!before && after) return { type: 'opened', seq, code: next.code, fields: next };
  if (before && !after) return { type: 'closed', seq, code: next.code, reason: 'left-scope', status: next.status };
  if (!before) return null;
  const fields = changedFields(prev!, next);
  return Object.keys(fields).length ? { type: 'changed', seq, code: next.code, fields } : null;
}

/** A located point's jurisdiction codes (district, town, community, grid), for scoping what is there. */
export function placeCodes(r: Pick<LocateResult, 'district' | 'town' | 'community' | 'grid'>): (string | null)[] {
  return [r.district?.code ?? null, r.town?.code ?? null, r.community?.code ?? null, r.grid?.code ?? null];
}
