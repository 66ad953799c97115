import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { findVisibleClue } from './clue-queries.js';
import { recordVerdictSchema, verifyClueRecord, type EvidenceChecker } from './clue-record.js';
import { checkDigests, localDay } from './timeline-digests.js';

const date = z.iso.date();
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

const digestSchema = z.strictObject({
  day: z.string(),
  prevDigest: z.string(),
  digest: z.string(),
  clueCount: z.number().int(),
  rowCount: z.number().int(),
  createdAt: z.iso.datetime(),
  ok: z.boolean(),
  problems: z.array(z.string()),
});

/** The record API (执法全过程记录): verify a clue's hash chain and evidence; read the daily digests. */
export function recordRoutes(pool: pg.Pool, checkEvidence: EvidenceChecker): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/clues/:code/verify',
        tag: 'record',
        summary: 'Recompute a clue’s record: its timeline hash chain, its evidence hashes and the daily digests that sealed it',
        description:
          'Answers intact: true, or each problem with the row (seq, id) and what was expected and found: hash-mismatch (a row was changed), prev-mismatch / missing-row (a row was removed), evidence-missing / evidence-altered. Only clues in the caller’s jurisdiction or concerning the caller’s unit; others answer 404 GW_CLUE_NOT_FOUND.',
        allow: 'clues.read',
        params: z.object({ code: z.string().min(1).max(64) }),
        query: z.object({}),
        response: recordVerdictSchema,
        errors: ['GW_CLUE_NOT_FOUND'],
      },
      async ({ user, params }) => {
        const clue = await findVisibleClue(pool, user, params.code);
        return verifyClueRecord(pool, clue, checkEvidence);
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/record/digests',
        tag: 'record',
        summary: 'The daily digests (每日摘要) that chain the clues’ records together, each rechecked',
        description: `Local days (Asia/Shanghai) from \`from\` to \`to\` inclusive (default: the last 31 days), at most ${MAX_RANGE_DAYS}. Each is recomputed: its digest, its link to the day before and its clues' last hashes from the timeline now.`,
        allow: 'record.read',
        query: z.object({ from: date.optional(), to: date.optional() }),
        response: z.strictObject({ from: z.string(), to: z.string(), digests: z.array(digestSchema) }),
        errors: ['GW_RECORD_RANGE'],
      },
      async ({ query }) => {
        const to = query.to ?? localDay(Date.now());
        const from = query.from ?? localDay(Date.parse(`${to}T00:00:00Z`) - 30 * DAY_MS);
        const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
        if (days < 1 || days > MAX_RANGE_DAYS)
          throw new GwError('GW_RECORD_RANGE', `Listing digests from ${from} to ${to}: ${days < 1 ? 'from is after to' : `${days} days, more than ${MAX_RANGE_DAYS}`}`);
        return { from, to, digests: await checkDigests(pool, from, to) };
      },
    ),
  ];
}
