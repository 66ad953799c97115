import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { currentUser, requireRole } from '../auth/middleware.js';
import { parseInput, parseQuery } from '../http/validate.js';
import { registerPath } from '../openapi.js';
import type { UnitDirectory } from '../routing/units.js';
import { CLUE_STATUSES } from './clue.js';
import { applyClueAction, clueActionSchema } from './clue-actions.js';
import { clueTimeline, findVisibleClue, listClues } from './clue-queries.js';
import { clueView } from './stored-clue.js';

const listQuery = z.object({
  /** One status or several, comma-separated. */
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(CLUE_STATUSES)))
    .optional(),
  item: z.string().min(1).max(64).optional(),
  town: z.string().min(1).max(32).optional(),
  unit: z.string().min(1).max(64).optional(),
  /** minLon,minLat,maxLon,maxLat (WGS84). */
  bbox: z
    .string()
    .transform((s) => s.split(',').map(Number))
    .pipe(
      z
        .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
        .refine(([w, s, e, n]) => w <= e && s <= n, 'bbox must be minLon,minLat,maxLon,maxLat'),
    )
    .optional(),
  review: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const codeParam = z.object({ code: z.string().min(1).max(64) });

const SCOPE_NOTE = 'Only clues in the caller’s jurisdiction (scopes) or concerning the caller’s unit; any other clue answers 404 GW_CLUE_NOT_FOUND, exactly as a code no clue has.';
registerPath({ method: 'get', path: '/api/v1/clues', tag: 'clues', summary: 'Clues in your jurisdiction, newest first, with filters', description: SCOPE_NOTE, query: listQuery });
registerPath({ method: 'get', path: '/api/v1/clues/:code', tag: 'clues', summary: 'One clue with its routing reasons and timeline', description: SCOPE_NOTE, responses: { '404': 'No such clue' } });
registerPath({
  method: 'post',
  path: '/api/v1/clues/:code/actions',
  tag: 'clues',
  summary: 'Take a lifecycle action: dispatch, accept, reject, start, feedback, verify, return, close, transfer, escalate, merge',
  description: `Operators and admins act for the command centre; the assigned unit's people accept, reject, start and give feedback. A second rejection by another unit sends the clue to the co-ordination office. ${SCOPE_NOTE}`,
  body: clueActionSchema,
  responses: { '404': 'No such clue', '409': 'The clue’s status does not allow the action', '422': 'The action does not make sense here (unknown unit, self-merge …)' },
});

/** The clue API for operators, units and planners, under /api/v1/clues. */
export function clueRoutes(pool: pg.Pool, units: () => UnitDirectory): Router {
  const r = Router();
  r.get('/api/v1/clues', requireRole(), async (req, res) => {
    const q = parseQuery(listQuery, req.query, 'the clue list query');
    const clues = await listClues(pool, currentUser(req), q);
    res.json({ clues: clues.map(clueView), limit: q.limit, offset: q.offset });
  });
  r.get('/api/v1/clues/:code', requireRole(), async (req, res) => {
    const { code } = parseInput(codeParam, req.params, 'the clue code');
    const clue = await findVisibleClue(pool, currentUser(req), code);
    res.json({ clue: clueView(clue), timeline: await clueTimeline(pool, clue.id) });
  });
  r.post('/api/v1/clues/:code/actions', requireRole('admin', 'operator', 'officer', 'worker'), async (req, res) => {
    const { code } = parseInput(codeParam, req.params, 'the clue code');
    const action = parseInput(clueActionSchema, req.body, 'the clue action');
    res.json(await applyClueAction(pool, units(), currentUser(req), code, action, req.ip ?? null));
  });
  return r;
}
