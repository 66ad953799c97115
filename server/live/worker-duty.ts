import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import type { ClueView } from '../clues/stored-clue.js';
import { defineRoute, type Route } from '../http/define-route.js';

const sql = defineQueries(import.meta.url, {
  setDuty: 'set-duty',
  insertPosition: 'insert-position',
  purge: 'purge-positions',
  workers: 'workers-to-alert',
});

/** Least time between two stored fixes of one worker (the throttle). */
export const POSITION_MIN_INTERVAL_MS = 5000;

/** An on-duty worker to alert, with the distance from their last fix (null: alerted for their grid cell, no fix). */
export interface WorkerToAlert {
  userId: number;
  username: string;
  distanceM: number | null;
}

/**
 * The on-duty workers of the clue's primary unit to push it to (docs/DESIGN.md §6): within
 * their radius of the clue by their last fix of this duty period, or holding the clue's grid
 * cell in their scopes; nearest first (PostGIS geodesic distance).
 */
export async function workersToAlert(pool: pg.Pool, clue: ClueView): Promise<WorkerToAlert[]> {
  const { rows } = await pool.query<{ id: string | number; username: string; distance_m: number | null }>(sql.workers, [
    clue.primaryUnitId,
    clue.gridCode,
    clue.position.lon,
    clue.position.lat,
  ]);
  return rows.map((r) => ({ userId: Number(r.id), username: r.username, distanceM: r.distance_m === null ? null : Math.round(r.distance_m) }));
}

/** Deletes fixes past the retention that are not of a duty period under way; returns how many. */
export async function purgeWorkerPositions(pool: pg.Pool, retentionMs: number): Promise<number> {
  const { rows } = await pool.query<{ purged: number }>(sql.purge, [retentionMs]);
  return rows[0]!.purged;
}

const dutyBody = z.strictObject({
  onDuty: z.boolean(),
  /** Alert radius around the phone's position, metres. */
  radiusM: z.number().int().min(10).max(50_000).default(1000),
});
const dutyResponse = z.strictObject({ onDuty: z.boolean(), radiusM: z.number().int(), since: z.iso.datetime(), endedAt: z.iso.datetime().nullable() });
const positionBody = z.strictObject({
  lon: z.number().min(-180).max(180),
  lat: z.number().min(-90).max(90),
  accuracyM: z.number().min(0).max(10_000).nullable().default(null),
  /** The phone's time of the fix. */
  at: z.iso.datetime({ offset: true }),
});

/** POST /api/v1/me/duty and /api/v1/me/position: a grid worker's duty and phone position. */
export function workerDutyRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/me/duty',
        tag: 'live',
        summary: 'Go on or off duty (grid workers): on duty, new and escalated clues nearby are pushed on the live WebSocket',
        description: 'Opt-in: positions are taken only while on duty, and kept for the duty period plus the retention setting.',
        allow: 'duty.report',
        body: dutyBody,
        response: dutyResponse,
      },
      async ({ user, body }) => {
        const { rows } = await pool.query<{ on_duty: boolean; radius_m: number; since: Date; ended_at: Date | null }>(sql.setDuty, [user.id, body.onDuty, body.radiusM]);
        const r = rows[0]!;
        return { onDuty: r.on_duty, radiusM: r.radius_m, since: r.since.toISOString(), endedAt: r.ended_at?.toISOString() ?? null };
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/me/position',
        tag: 'live',
        summary: "Report the phone's position while on duty (at most one fix is stored per 5 s; the others are acknowledged and dropped)",
        allow: 'duty.report',
        body: positionBody,
        response: z.strictObject({ stored: z.boolean() }),
        status: 202,
        errors: ['GW_LIVE_OFF_DUTY'],
      },
      async ({ user, body }) => {
        const { rows } = await pool.query<{ on_duty: boolean; stored: boolean }>(sql.insertPosition, [
          user.id,
          body.lon,
          body.lat,
          body.accuracyM,
          body.at,
          POSITION_MIN_INTERVAL_MS,
        ]);
        if (!rows[0]!.on_duty) throw new GwError('GW_LIVE_OFF_DUTY', `Reporting the position of ${user.username}: not on duty (POST /api/v1/me/duty first)`);
        return { stored: rows[0]!.stored };
      },
    ),
  ];
}
