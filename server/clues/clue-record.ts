import type pg from 'pg';
import { z } from 'zod';
import { defineQueries } from '../../db/sql.js';
import { checkChain, dayDigest, evidenceHashes, RECORD_PROBLEMS, type DayHead, type RecordProblem, type StoredChainRow } from './timeline-chain.js';

const sql = defineQueries(import.meta.url, {
  rows: 'clue-record',
  digests: 'clue-digests',
});

/**
 * Checks one piece of evidence by its SHA-256: the evidence store says whether it is there
 * and unchanged. Injected, so the record does not depend on where evidence is kept.
 */
/** What an integrity check of stored evidence found: intact, or missing / altered and how. */
export type EvidenceCheck = { ok: true } | { ok: false; problem: 'missing' | 'altered'; detail: string };
export type EvidenceChecker = (sha256: string) => Promise<EvidenceCheck>;

/** What `GET /api/v1/clues/:code/verify` answers. */
export const recordVerdictSchema = z.strictObject({
  clue: z.string(),
  /** True when nothing below is wrong. */
  intact: z.boolean(),
  /** How many timeline rows the clue has. */
  rows: z.number().int(),
  problems: z.array(
    z.strictObject({
      seq: z.number().int(),
      /** The row's id; null for a row that is gone. */
      id: z.number().int().nullable(),
      problem: z.enum(RECORD_PROBLEMS),
      expected: z.string().nullable(),
      found: z.string().nullable(),
    }),
  ),
  /** Every evidence hash the timeline names, and whether the evidence store still holds it unchanged. */
  evidence: z.array(z.strictObject({ sha256: z.string(), ok: z.boolean() })),
  /** The sealed days (timeline_digests) that name this clue, each recomputed. */
  digest: z.strictObject({
    days: z.array(z.strictObject({ day: z.string(), seq: z.number().int(), ok: z.boolean() })),
  }),
});
export type RecordVerdict = z.infer<typeof recordVerdictSchema>;

interface RecordRow {
  timeline_seq: number;
  timeline_hash: string;
  id: string;
  seq: number;
  at_ms: string;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  source: string | null;
  detail: unknown;
  prev_hash: string;
  hash: string;
  legacy: boolean;
  legacy_hash: string;
}

/**
 * Verifies a clue's record (docs/RECORD.md): recomputes its hash chain from the stored rows
 * (a changed row: 'hash-mismatch'; a removed one: 'missing-row' / 'prev-mismatch'), checks
 * every evidence hash the rows name with `checkEvidence` ('evidence-missing' /
 * 'evidence-altered'), and for each sealed day that names the clue, recomputes the day's
 * digest and compares the row it sealed with the row as stored now, which catches a chain
 * rewritten from the changed row on ('hash-mismatch' against the sealed hash).
 */
export async function verifyClueRecord(db: pg.Pool, clue: { id: number; code: string }, checkEvidence: EvidenceChecker): Promise<RecordVerdict> {
  const result = await db.query<RecordRow>(sql.rows, [clue.id]);
  const head = result.rows[0]!;
  const rows = result.rows.filter((r) => r.id !== null);
  const stored: StoredChainRow[] = rows.map((r) => ({
    id: Number(r.id),
    seq: r.seq,
    content: { clue: clue.code, seq: r.seq, at: Number(r.at_ms), actor: r.actor, action: r.action, from: r.from_status, to: r.to_status, source: r.source, detail: r.detail },
    prevHash: r.prev_hash,
    hash: r.hash,
    legacy: r.legacy,
    legacyHash: r.legacy_hash,
  }));
  const problems: RecordProblem[] = checkChain(stored, { seq: head.timeline_seq, hash: head.timeline_hash });

  const evidence: RecordVerdict['evidence'] = [];
  const checked = new Set<string>();
  for (const r of stored)
    for (const sha256 of evidenceHashes(r.content.detail)) {
      if (checked.has(sha256)) continue;
      checked.add(sha256);
      const result = await checkEvidence(sha256);
      evidence.push({ sha256, ok: result.ok });
      if (!result.ok)
        problems.push({ seq: r.seq, id: r.id, problem: result.problem === 'missing' ? 'evidence-missing' : 'evidence-altered', expected: sha256, found: result.detail });
    }

  const days: RecordVerdict['digest']['days'] = [];
  const bySeq = new Map(stored.map((r) => [r.seq, r]));
  const sealed = await db.query<{ day: string; prev_digest: string; digest: string; heads: DayHead[]; head: DayHead }>(sql.digests, [clue.code]);
  for (const d of sealed.rows) {
    const [, seq, hash] = d.head;
    const row = bySeq.get(seq);
    const rowOk = row !== undefined && row.hash === hash;
    // A missing row is reported by the chain already; a present one that differs is reported here.
    if (row && !rowOk) problems.push({ seq, id: row.id, problem: 'hash-mismatch', expected: hash, found: row.hash });
    days.push({ day: d.day, seq, ok: rowOk && dayDigest(d.day, d.prev_digest, d.heads) === d.digest });
  }
  problems.sort((a, b) => a.seq - b.seq);
  return { clue: clue.code, intact: problems.length === 0 && days.every((d) => d.ok), rows: rows.length, problems, evidence, digest: { days } };
}
