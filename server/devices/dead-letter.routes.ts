import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { ingestOutcomeSchema, TRANSPORT_NAMES, type IngestSink, type TransportName } from '../../ingest/transport.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { replayDeadLetters } from './dead-letter-replay.js';

const sql = defineQueries(import.meta.url, {
  list: 'list-dead-letters',
  get: 'get-dead-letter',
});

const filterShape = {
  transport: z.enum(TRANSPORT_NAMES).optional(),
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

/** No body replays every letter not yet replayed, up to the default limit. */
const replayBody = z
  .object({
    ...filterShape,
    includeReplayed: z.boolean().default(false),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .prefault({});

const idParam = z.object({ id: z.coerce.number().int().positive() });

const deadLetterSchema = z.object({
  id: z.number().int(),
  transport: z.enum(TRANSPORT_NAMES),
  code: z.string(),
  reason: z.string(),
  deviceId: z.string().nullable(),
  authenticatedDeviceId: z.string().nullable(),
  topic: z.string().nullable(),
  receivedAt: z.iso.datetime(),
  replayedAt: z.iso.datetime().nullable(),
  replayResult: z.string().nullable(),
  rawEncoding: z.enum(['utf8', 'base64']),
  /** The payload's size and SHA-256; a payload over the decode limit is kept truncated (migration 045). */
  rawBytes: z.number().int().nullable(),
  rawSha256: z.string().nullable(),
  rawTruncated: z.boolean(),
});
/** Lists give the payload's length; the detail gives the payload. */
const listedSchema = deadLetterSchema.extend({ rawLength: z.number().int() });
const detailSchema = deadLetterSchema.extend({ raw: z.string() });
const replayResultSchema = z.object({ id: z.number().int(), outcome: ingestOutcomeSchema });

type Row = {
  id: number;
  transport: TransportName;
  code: string;
  reason: string;
  raw_encoding: 'utf8' | 'base64';
  raw_bytes: number | null;
  raw_sha256: string | null;
  raw_truncated: boolean;
  device_id: string | null;
  authenticated_device_id: string | null;
  topic: string | null;
  received_at: Date;
  replayed_at: Date | null;
  replay_result: string | null;
};

const common = (r: Row) => ({
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
  rawBytes: r.raw_bytes,
  rawSha256: r.raw_sha256,
  rawTruncated: r.raw_truncated,
});

const tag = 'dead-letters';

/** Dead-letter administration under /api/v1/dead-letters (admin only): list, detail, replay. */
export function deadLetterRoutes(pool: pg.Pool, sink: IngestSink): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/dead-letters',
        tag,
        summary: 'List dead letters, newest first (admin)',
        description: "Filters: transport, code, deviceId, from/to (received time), replayed. Paging: pass the answer's nextBefore as before.",
        allow: 'dead-letters.manage',
        query: listQuery,
        response: z.object({ items: z.array(listedSchema), nextBefore: z.number().int().nullable() }),
      },
      async ({ query: q }) => {
        const { rows } = await pool.query<Row & { raw_length: number }>(sql.list, [
          q.transport ?? null,
          q.code ?? null,
          q.deviceId ?? null,
          q.from ?? null,
          q.to ?? null,
          q.replayed ?? null,
          q.before ?? null,
          q.limit,
        ]);
        return { items: rows.map((r) => ({ ...common(r), rawLength: r.raw_length })), nextBefore: rows.length === q.limit ? rows.at(-1)!.id : null };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/dead-letters/:id',
        tag,
        summary: 'One dead letter with its raw payload and reason (admin)',
        allow: 'dead-letters.manage',
        params: idParam,
        response: detailSchema,
        errors: ['GW_NOT_FOUND'],
      },
      async ({ params: { id } }) => {
        const { rows } = await pool.query<Row & { raw: string }>(sql.get, [id]);
        if (!rows[0]) throw new GwError('GW_NOT_FOUND', `Looking up dead letter ${id}: no such dead letter`);
        return { ...common(rows[0]), raw: rows[0].raw };
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/dead-letters/replay',
        tag,
        summary: 'Replay the dead letters matching a filter, oldest first; not yet replayed ones unless includeReplayed (admin)',
        allow: 'dead-letters.manage',
        body: replayBody,
        response: z.object({ replayed: z.number().int(), results: z.array(replayResultSchema) }),
        errors: ['GW_INGEST_UNAVAILABLE'],
      },
      async ({ body }) => {
        const results = await replayDeadLetters(pool, sink, body);
        return { replayed: results.length, results };
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/dead-letters/:id/replay',
        tag,
        summary: 'Re-decode one dead letter as if newly received, e.g. after registering its device (admin)',
        allow: 'dead-letters.manage',
        params: idParam,
        response: replayResultSchema,
        errors: ['GW_NOT_FOUND', 'GW_INGEST_UNAVAILABLE'],
      },
      async ({ params: { id } }) => {
        const [result] = await replayDeadLetters(pool, sink, { ids: [id], includeReplayed: true, limit: 1 });
        if (!result) throw new GwError('GW_NOT_FOUND', `Replaying dead letter ${id}: no such dead letter`);
        return result;
      },
    ),
  ];
}
