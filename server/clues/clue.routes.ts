import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, STREAMED, type Route } from '../http/define-route.js';
import { acknowledgeAlarm, alarmAckAnswerSchema } from './alarm-ack.js';
import { applyClueAction, clueActionSchema } from './clue-actions.js';
import { streamClueExport } from './clue-export.js';
import { clueListQuery, encodeCursor, listCluePage, walkClues } from './clue-list.js';
import { clueTimeline, findVisibleClue, timelineEntrySchema } from './clue-queries.js';
import type { RoutingContext } from './reroute.js';
import { listTasks, nextActionsFor, taskListSchema, taskQuerySchema } from './task-list.js';
import { CLUE_ACTION_TYPES, timelineEventSchema } from './lifecycle.js';
import { clueView, clueViewSchema } from './stored-clue.js';

const codeParam = z.object({ code: z.string().min(1).max(64) });

const SCOPE_NOTE = 'Only clues in the caller’s jurisdiction (scopes) or concerning the caller’s unit; others answer 403 GW_OUT_OF_SCOPE.';
const tag = 'clues';

/** The clue API for operators, units and planners, under /api/v1/clues, and the units' tasks list. */
export function clueRoutes(pool: pg.Pool, routing: () => RoutingContext): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/tasks',
        tag,
        summary: 'My unit’s tasks (任务单): open clues assigned to my unit, with what I may do next',
        description:
          'Open clues whose primary unit is the caller’s unit and that lie in the caller’s scope, newest first, each with `nextActions`; `counts` per open status. Filters: status (comma-separated), item, kind (device kind). A user bound to no unit gets 409 GW_TASKS_NO_UNIT.',
        allow: 'clues.read',
        query: taskQuerySchema,
        response: taskListSchema,
        errors: ['GW_TASKS_NO_UNIT'],
      },
      ({ user, query }) => listTasks(pool, routing(), user, query),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/clues',
        tag,
        summary: 'Clues in your jurisdiction, newest first, with filters; a page, or every match as CSV or GeoJSON',
        description:
          'Only clues in the caller’s jurisdiction (scopes) or concerning the caller’s unit. `total` counts the matches (all pages); ' +
          'pass `nextCursor` back as `cursor` for the next page. `format=csv` (stable English column names, UTF-8 with BOM) or ' +
          '`format=geojson` (a FeatureCollection) streams every matching clue from the cursor on, with the same filters and scope, as an attachment.',
        allow: 'clues.read',
        query: clueListQuery,
        response: z.strictObject({ clues: z.array(clueViewSchema), total: z.number().int(), limit: z.number().int(), nextCursor: z.string().nullable() }),
      },
      async ({ user, query, res }) => {
        const { limit, cursor, format, ...filter } = query;
        if (format !== 'json') {
          await streamClueExport(res, format, `clues-${new Date().toISOString().slice(0, 10)}`, walkClues(pool, user, filter, cursor));
          return STREAMED;
        }
        const page = await listCluePage(pool, user, filter, { cursor, limit, count: true });
        return { clues: page.clues.map(clueView), total: page.total, limit, nextCursor: page.next && encodeCursor(page.next) };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/clues/:code',
        tag,
        summary: 'One clue with its routing reasons and timeline, and what the caller may do next',
        description: `\`nextActions\`: the actions the caller may take now (as the tasks list gives them), for the UI to offer exactly those. ${SCOPE_NOTE}`,
        allow: 'clues.read',
        params: codeParam,
        response: z.strictObject({ clue: clueViewSchema, timeline: z.array(timelineEntrySchema), nextActions: z.array(z.enum(CLUE_ACTION_TYPES)) }),
        errors: ['GW_CLUE_NOT_FOUND', 'GW_OUT_OF_SCOPE'],
      },
      async ({ user, params }) => {
        const clue = await findVisibleClue(pool, user, params.code);
        return { clue: clueView(clue), timeline: await clueTimeline(pool, clue.id), nextActions: nextActionsFor(routing(), user, clue) };
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/clues/:code/actions',
        tag,
        summary: 'Take a lifecycle action: dispatch, accept, reject, start, feedback, verify, return, close, transfer, escalate, closeAtSource, reroute, merge',
        description: `Operators and admins act for the command centre; the assigned unit's people accept, reject, start and give feedback. A second rejection by another unit sends the clue to the co-ordination office. Escalation (立案) names its procedure (simple | normal); a grid worker of the assigned unit may close at source (源头化解) where the item allows it; reroute routes the clue again under the catalogue version in force now, and the timeline keeps both decisions. ${SCOPE_NOTE}`,
        allow: 'clues.act',
        params: codeParam,
        body: clueActionSchema,
        response: z.strictObject({ clue: clueViewSchema, event: timelineEventSchema }),
        errors: ['GW_CLUE_NOT_FOUND', 'GW_OUT_OF_SCOPE', 'GW_CLUE_FORBIDDEN', 'GW_CLUE_STATE', 'GW_CLUE_INVALID'],
      },
      ({ user, params, body, req }) => applyClueAction(pool, routing(), user, params.code, body, req.ip ?? null),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/clues/:code/alarm-ack',
        tag,
        summary: 'Acknowledge the urgent-clue alarm (gas high/critical, bridge red): recorded on the timeline',
        description: 'Appends an `alarm.ack` row (who, when, from where, the severity) to the clue’s timeline and sends an `alarm` clue event. A clue outside the caller’s jurisdiction answers 404 GW_CLUE_NOT_FOUND, as an unknown code.',
        allow: 'clues.read',
        params: codeParam,
        body: z.strictObject({}),
        response: alarmAckAnswerSchema,
        errors: ['GW_CLUE_NOT_FOUND'],
      },
      ({ user, params, req }) => acknowledgeAlarm(pool, user, params.code, req.ip ?? null),
    ),
  ];
}
