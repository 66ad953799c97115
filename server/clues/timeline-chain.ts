import crypto from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The hash chain of a clue's timeline (执法全过程记录, docs/RECORD.md): pure functions, no I/O.
 * Each row's hash is SHA-256 over the RFC 8785 canonical JSON of its content and the hash of
 * the row before it; the first row of a clue chains from `GENESIS_HASH`.
 */

/** What the first row of every clue chains from. */
export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 of a UTF-8 string, as 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The content a row's hash covers; `at` in ms since epoch, exactly as stored. */
export interface ChainContent {
  clue: string;
  seq: number;
  at: number;
  actor: string;
  action: string;
  from: string | null;
  to: string | null;
  source: string | null;
  detail: unknown;
}

/** A row's hash: SHA-256 over canonical JSON of its content and `prev` (the previous row's hash). */
export function rowHash(content: ChainContent, prev: string): string {
  return sha256Hex(canonicalize({ ...content, prev })!);
}

/** The head of a clue's chain: its code, the last row's seq (0 before any) and hash. */
export interface ChainHead {
  code: string;
  seq: number;
  hash: string;
}

/** One timeline row (clue_timeline) as a writer appends it; `at` in ms since epoch. */
export interface TimelineRow {
  clue_id: number;
  at: number;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  /** From where: `device:<id>` for the pipeline, the client address for a person. */
  source: string | null;
  detail: Record<string, unknown>;
}

/** A row ready to insert: its place in the chain and its hash. */
export type ChainedRow<T extends TimelineRow> = T & { seq: number; prev_hash: string; hash: string };

/**
 * Places rows on their clues' chains, in the order given: each takes the next seq and the hash
 * of the row before. `at` is rounded to whole ms and `detail` normalised through JSON (an
 * `undefined` field dropped), so what is hashed is what the database stores and gives back.
 * Returns the rows and each touched clue's new head.
 */
export function chainRows<T extends TimelineRow>(rows: readonly T[], heads: ReadonlyMap<number, ChainHead>): { rows: ChainedRow<T>[]; heads: Map<number, ChainHead> } {
  const moved = new Map<number, ChainHead>();
  const chained = rows.map((r) => {
    const head = moved.get(r.clue_id) ?? heads.get(r.clue_id);
    if (!head) throw new Error(`Appending to the timeline of clue id ${r.clue_id}: no such clue`);
    const at = Math.round(r.at);
    const detail = JSON.parse(JSON.stringify(r.detail)) as Record<string, unknown>;
    const seq = head.seq + 1;
    const content = { clue: head.code, seq, at, actor: r.actor, action: r.action, from: r.from_status, to: r.to_status, source: r.source, detail };
    const hash = rowHash(content, head.hash);
    moved.set(r.clue_id, { code: head.code, seq, hash });
    return { ...r, at, detail, seq, prev_hash: head.hash, hash };
  });
  return { rows: chained, heads: moved };
}

/** A stored timeline row as `verify` reads it back. */
export interface StoredChainRow {
  id: number;
  seq: number;
  content: ChainContent;
  prevHash: string;
  hash: string;
  /** Written before the chain existed (migration 070): `legacyHash` is its recomputation in SQL. */
  legacy: boolean;
  legacyHash: string;
}

/** What verify can find wrong with a clue's record. */
export const RECORD_PROBLEMS = ['hash-mismatch', 'prev-mismatch', 'missing-row', 'evidence-missing', 'evidence-altered'] as const;

/** One thing found wrong: the row (seq, id; id null for a row that is gone), what was expected and found. */
export interface RecordProblem {
  seq: number;
  id: number | null;
  problem: (typeof RECORD_PROBLEMS)[number];
  expected: string | null;
  found: string | null;
}

/**
 * Recomputes a clue's chain from its stored rows (ordered by seq) against its head. A changed
 * row is a 'hash-mismatch' at its seq; a deleted row is a 'missing-row' (seq gap, or rows gone
 * from the end that the head still counts) and, in the middle, a 'prev-mismatch' on the row
 * after it. A stored hash is trusted for the next link only after it is reported, so one
 * change reports once.
 */
export function checkChain(rows: readonly StoredChainRow[], head: { seq: number; hash: string }): RecordProblem[] {
  const problems: RecordProblem[] = [];
  let prev = GENESIS_HASH;
  let next = 1;
  let seenNew = false;
  for (const r of rows) {
    for (; next < r.seq; next++) problems.push({ seq: next, id: null, problem: 'missing-row', expected: `seq ${next}`, found: null });
    if (r.seq < next) problems.push({ seq: r.seq, id: r.id, problem: 'prev-mismatch', expected: `seq ${next}`, found: `seq ${r.seq}` });
    if (r.prevHash !== prev) problems.push({ seq: r.seq, id: r.id, problem: 'prev-mismatch', expected: prev, found: r.prevHash });
    // A legacy row after a chained one cannot have been written so: the flag was changed.
    const recomputed = r.legacy && !seenNew ? r.legacyHash : rowHash(r.content, r.prevHash);
    seenNew ||= !r.legacy;
    if (recomputed !== r.hash) problems.push({ seq: r.seq, id: r.id, problem: 'hash-mismatch', expected: recomputed, found: r.hash });
    prev = r.hash;
    next = Math.max(next, r.seq + 1);
  }
  if (rows.length && next - 1 === head.seq && prev !== head.hash) {
    // The rows all link up, but the clue's head recorded another last hash.
    const last = rows[rows.length - 1]!;
    problems.push({ seq: last.seq, id: last.id, problem: 'hash-mismatch', expected: head.hash, found: prev });
  }
  for (; next <= head.seq; next++) problems.push({ seq: next, id: null, problem: 'missing-row', expected: `seq ${next}`, found: null });
  return problems;
}

/** The evidence hashes a row names: `detail.evidence.sha256` (uploads) and a stored alert image's. */
export function evidenceHashes(detail: unknown): string[] {
  const d = detail as { evidence?: { sha256?: unknown }; alert?: { evidence?: { image?: { sha256?: unknown } } } } | null;
  return [d?.evidence?.sha256, d?.alert?.evidence?.image?.sha256].filter((h): h is string => typeof h === 'string');
}

/** The digest of a local day: SHA-256 over canonical JSON of the day, the previous digest and its clues' heads (sorted by code). */
export function dayDigest(day: string, prev: string, heads: readonly DayHead[]): string {
  return sha256Hex(canonicalize({ day, prev, heads: sortHeads(heads) })!);
}

/** A clue's last row of a day: [code, seq, hash]. */
export type DayHead = [code: string, seq: number, hash: string];

/** Heads in the digest's order: by clue code. */
export function sortHeads(heads: readonly DayHead[]): DayHead[] {
  return [...heads].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
