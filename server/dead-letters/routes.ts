import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { loadSql } from '../../db/sql.js';
import type { IngestSink } from '../../ingest/transport.js';
import { requireRole } from '../auth/middleware.js';
import { parseInput, parseQuery } from '../http/validate.js';
import { registerPath } from '../openapi.js';
import { replayDeadLetters } from './replay.js';

const sql = {
  list: loadSql(new URL('./sql/list-dead-letters.sql', import.meta.url)),
  get: loadSql(new URL('./sql/get-dead-letter.sql', import.meta.url)),
};

const filterShape = {
  transport: z.enum(['mqtt', 'kafka', 'http']).optional(),
  code: z.string().regex(/^GW_[A-Z0-9_]+$/).optional(),
  deviceId: z.string().min(1).max(64).optional(),
  from: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  to: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
};

const listQuery = z.object({
  ...filterShape,
  replayed: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const replayBody = z.object({
  ...filterShape,
  includeReplayed: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(100),
});

const idParam = z.object({ id: z.coerce.number().int().positive() });

registerPath({
  method: 'get',
  path: '/api/v1/dead-letters',
  tag: 'dead-letters',
  summary: 'List dead letters, newest first (admin)',
  description: 'Filters: transport, code, deviceId, from/to (received time), replayed. Paging: pass the answer\'s nextBefore as before.',
  query: listQuery,
});
registerPath({ method: 'get', path: '/api/v1/dead-letters/:id', tag: 'dead-letters', summary: 'One dead letter with its raw payload and reason (admin)', responses: { '404': 'No such dead letter' } });
registerPath({
  method: 'post',
  path: '/api/v1/dead-letters/:id/replay',
  tag: 'dead-letters',
  summary: 'Re-decode one dead letter as if newly received, e.g. after registering its device (admin)',
  responses: { '404': 'No such dead letter', '503': 'Storage unavailable' },
});
registerPath({
  method: 'post',
  path: '/api/v1/dead-letters/replay',
  tag: 'dead-letters',
  summary: 'Replay the dead letters matching a filter, oldest first; not yet replayed ones unless includeReplayed (admin)',
  body: replayBody,
  responses: { '503': 'Storage unavailable' },
});

type Row = {
  id: number;
  transport: string;
  code: string;
  reason: string;
  raw?: string;
  raw_encoding: string;
  raw_length?: number;
  device_id: string | null;
  authenticated_device_id: string | null;
  topic: string | null;
  received_at: Date;
  replayed_at: Date | null;
  replay_result: string | null;
};

const toJson = (r: Row) => ({
  id: r.id,
  transport: r.transport,
  code: r.code,
  reason: r.reason,
  deviceId: r.device_id,
  authenticatedDeviceId: r.authenticated_device_id,
  topic: r.topic,
  receivedAt: r.received_at.toISOString(),
  replayedAt: r.replayed_at?.toISOString() ?? null,
  replayResult: r.replay_result,
  rawEncoding: r.raw_encoding,
  ...(r.raw !== undefined ? { raw: r.raw } : { rawLength: r.raw_length }),
});

/** Dead-letter administration under /api/v1/dead-letters (admin only): list, detail, replay. */
export function deadLetterRoutes(pool: pg.Pool, sink: IngestSink): Router {
  const r = Router();
  const admin = requireRole('admin');
  r.get('/api/v1/dead-letters', admin, async (req, res) => {
    const q = parseQuery(listQuery, req.query, 'the dead-letter list query');
    const { rows } = await pool.query<Row>(sql.list, [
      q.transport ?? null,
      q.code ?? null,
      q.deviceId ?? null,
      q.from ?? null,
      q.to ?? null,
      q.replayed ?? null,
      q.before ?? null,
      q.limit,
    ]);
    res.json({ items: rows.map(toJson), nextBefore: rows.length === q.limit ? rows.at(-1)!.id : null });
  });
  r.get('/api/v1/dead-letters/:id', admin, async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'the dead-letter id');
    const { rows } = await pool.query<Row>(sql.get, [id]);
    if (!rows[0]) throw new GwError('GW_NOT_FOUND', `Looking up dead letter ${id}: no such dead letter`);
    res.json(toJson(rows[0]));
  });
  r.post('/api/v1/dead-letters/replay', admin, async (req, res) => {
    const f = parseInput(replayBody, req.body ?? {}, 'the dead-letter replay filter');
    const results = await replayDeadLetters(pool, sink, f);
    res.json({ replayed: results.length, results });
  });
  r.post('/api/v1/dead-letters/:id/replay', admin, async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'the dead-letter id');
    const [result] = await replayDeadLetters(pool, sink, { ids: [id], includeReplayed: true, limit: 1 });
    if (!result) throw new GwError('GW_NOT_FOUND', `Replaying dead letter ${id}: no such dead letter`);
    res.json(result);
  });
  return r;
}
