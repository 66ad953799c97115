/** The hash chain's pure core (server/clues/timeline-chain.ts), without a database. */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { chainRows, checkChain, dayDigest, evidenceHashes, GENESIS_HASH, rowHash, type StoredChainRow } from '../../server/clues/timeline-chain.js';

const row = (clue_id: number, at: number, detail: Record<string, unknown> = {}) => ({
  clue_id,
  at,
  actor: 'op',
  action: 'dispatch',
  from_status: 'new',
  to_status: 'dispatched',
  source: null,
  detail,
});

/** Rows chained on fresh heads, as verify reads them back. */
function stored(n: number): { rows: StoredChainRow[]; head: { seq: number; hash: string } } {
  const { rows, heads } = chainRows(
    Array.from({ length: n }, (_, i) => row(1, 1_764_000_000_000 + i)),
    new Map([[1, { code: 'C-1', seq: 0, hash: GENESIS_HASH }]]),
  );
  return {
    rows: rows.map((r, i) => ({
      id: 100 + i,
      seq: r.seq,
      content: { clue: 'C-1', seq: r.seq, at: r.at, actor: r.actor, action: r.action, from: r.from_status, to: r.to_status, source: r.source, detail: r.detail },
      prevHash: r.prev_hash,
      hash: r.hash,
      legacy: false,
      legacyHash: '',
    })),
    head: heads.get(1)!,
  };
}
const kinds = (ps: ReturnType<typeof checkChain>) => ps.map((p) => [p.seq, p.problem]);

test('the hash is SHA-256 over RFC 8785 canonical JSON: key order does not matter, every field and prev does', () => {
  const content = { clue: 'C-1', seq: 1, at: 1, actor: 'a', action: 'x', from: null, to: null, source: null, detail: { b: 1, a: [1, 'z'] } };
  const expected = crypto.createHash('sha256').update(`{"action":"x","actor":"a","at":1,"clue":"C-1","detail":{"a":[1,"z"],"b":1},"from":null,"prev":"${GENESIS_HASH}","seq":1,"source":null,"to":null}`).digest('hex');
  assert.equal(rowHash(content, GENESIS_HASH), expected);
  assert.equal(rowHash({ ...content, detail: { a: [1, 'z'], b: 1 } }, GENESIS_HASH), expected);
  assert.notEqual(rowHash({ ...content, seq: 2 }, GENESIS_HASH), expected);
  assert.notEqual(rowHash(content, '1'.repeat(64)), expected);
});

test('chainRows numbers rows per clue from the head, links each to the one before, and drops undefined fields', () => {
  const { rows, heads } = chainRows([row(1, 10.4, { note: undefined }), row(2, 11), row(1, 12)], new Map([
    [1, { code: 'C-1', seq: 5, hash: 'a'.repeat(64) }],
    [2, { code: 'C-2', seq: 0, hash: GENESIS_HASH }],
  ]));
  assert.deepEqual(rows.map((r) => [r.clue_id, r.seq]), [[1, 6], [2, 1], [1, 7]]);
  assert.equal(rows[0]!.prev_hash, 'a'.repeat(64));
  assert.equal(rows[2]!.prev_hash, rows[0]!.hash);
  assert.equal(rows[0]!.at, 10, 'whole milliseconds, as stored');
  assert.deepEqual(rows[0]!.detail, {});
  assert.deepEqual(heads.get(1), { code: 'C-1', seq: 7, hash: rows[2]!.hash });
  assert.throws(() => chainRows([row(3, 1)], new Map()), /clue id 3/);
});

test('checkChain: intact; a changed row; a deleted middle row; a deleted last row; a head that disagrees', () => {
  const { rows, head } = stored(4);
  assert.deepEqual(checkChain(rows, head), []);
  const changed = rows.map((r) => (r.seq === 2 ? { ...r, content: { ...r.content, actor: 'mallory' } } : r));
  assert.deepEqual(kinds(checkChain(changed, head)), [[2, 'hash-mismatch']]);
  assert.deepEqual(kinds(checkChain(rows.filter((r) => r.seq !== 3), head)), [[3, 'missing-row'], [4, 'prev-mismatch']]);
  assert.deepEqual(kinds(checkChain(rows.slice(0, 3), head)), [[4, 'missing-row']]);
  assert.deepEqual(kinds(checkChain(rows, { ...head, hash: 'f'.repeat(64) })), [[4, 'hash-mismatch']]);
  assert.deepEqual(kinds(checkChain([], { seq: 2, hash: 'x' })), [[1, 'missing-row'], [2, 'missing-row']]);
  const relabelled = rows.map((r) => (r.seq === 1 ? { ...r, legacy: true, legacyHash: r.hash } : r.seq === 3 ? { ...r, legacy: true, legacyHash: r.hash } : r));
  assert.deepEqual(kinds(checkChain(relabelled, head)), [], 'legacy rows first are recomputed by their SQL hash');
  const late = rows.map((r) => (r.seq === 3 ? { ...r, legacy: true, legacyHash: r.hash, content: { ...r.content, actor: 'mallory' } } : r));
  assert.deepEqual(kinds(checkChain(late, head)), [[3, 'hash-mismatch']], 'a legacy flag after a chained row does not excuse a change');
});

test('evidence hashes come from uploads and stored alert images; the day digest sorts heads by code', () => {
  assert.deepEqual(evidenceHashes({ evidence: { sha256: 'aa' } }), ['aa']);
  assert.deepEqual(evidenceHashes({ alert: { evidence: { image: { stored: 'images/bb.jpg', sha256: 'bb' } } } }), ['bb']);
  assert.deepEqual(evidenceHashes({ alert: { evidence: { image: { url: 'http://x' } } } }), []);
  assert.deepEqual(evidenceHashes(null), []);
  const heads: [string, number, string][] = [['B', 2, 'h2'], ['A', 1, 'h1']];
  assert.equal(dayDigest('2026-12-01', GENESIS_HASH, heads), dayDigest('2026-12-01', GENESIS_HASH, [...heads].reverse()));
  assert.notEqual(dayDigest('2026-12-01', GENESIS_HASH, heads), dayDigest('2026-12-02', GENESIS_HASH, heads));
});
