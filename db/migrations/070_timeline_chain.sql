-- A record that cannot be altered (issue 9, 执法全过程记录): every clue's timeline becomes a hash
-- chain. Each row keeps its ordinal within the clue (`seq`, from 1), the hash of the row before
-- (`prev_hash`; 64 zeros for the first) and its own `hash`: SHA-256 over the RFC 8785 canonical
-- JSON of its content and prev_hash, computed in Node (server/clues/timeline-chain.ts) when
-- `recordChanges` appends it. `clues.timeline_seq` / `timeline_hash` hold the head of each
-- chain: the appending transaction locks the clue row, reads the head and moves it, so two
-- writers never take the same prev. UNIQUE (clue_id, seq) refuses a second row at one place.
--
-- Rows written before this migration are `legacy`: canonical JSON is impractical in SQL, so
-- their hash is `clue_timeline_legacy_hash` below (SHA-256 over prev_hash and the jsonb text
-- of the same fields, jsonb's text form being deterministic), chained in the order they were
-- written; new rows chain on from the last legacy hash. `verify` recomputes legacy rows with
-- the same function and new rows in Node.
ALTER TABLE clue_timeline
  ADD COLUMN seq integer,
  ADD COLUMN prev_hash text,
  ADD COLUMN hash text,
  ADD COLUMN legacy boolean NOT NULL DEFAULT false;

ALTER TABLE clues
  ADD COLUMN timeline_seq integer NOT NULL DEFAULT 0,
  ADD COLUMN timeline_hash text NOT NULL DEFAULT repeat('0', 64);

CREATE FUNCTION clue_timeline_legacy_hash(prev text, code text, seq integer, at timestamptz, actor text, action text,
                                          from_status text, to_status text, source text, detail jsonb)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(prev || jsonb_build_object(
           'clue', code, 'seq', seq, 'at', (extract(epoch FROM at) * 1000)::text, 'actor', actor, 'action', action,
           'from', from_status, 'to', to_status, 'source', source, 'detail', detail)::text, 'UTF8')), 'hex')
$$;

-- The backfill is the one change ever made to existing rows, so the guard steps aside for it.
ALTER TABLE clue_timeline DISABLE TRIGGER clue_timeline_append_only;

CREATE TEMPORARY TABLE legacy_order ON COMMIT DROP AS
SELECT t.id, t.clue_id, c.code, row_number() OVER (PARTITION BY t.clue_id ORDER BY t.at, t.id)::integer AS seq
  FROM clue_timeline AS t JOIN clues AS c ON c.id = t.clue_id;
CREATE INDEX ON legacy_order (clue_id, seq);

WITH RECURSIVE chain AS (
  SELECT o.id, o.clue_id, o.seq, repeat('0', 64) AS prev_hash,
         clue_timeline_legacy_hash(repeat('0', 64), o.code, o.seq, t.at, t.actor, t.action, t.from_status, t.to_status, t.source, t.detail) AS hash
    FROM legacy_order AS o JOIN clue_timeline AS t ON t.id = o.id
   WHERE o.seq = 1
  UNION ALL
  SELECT o.id, o.clue_id, o.seq, ch.hash,
         clue_timeline_legacy_hash(ch.hash, o.code, o.seq, t.at, t.actor, t.action, t.from_status, t.to_status, t.source, t.detail)
    FROM chain AS ch
    JOIN legacy_order AS o ON o.clue_id = ch.clue_id AND o.seq = ch.seq + 1
    JOIN clue_timeline AS t ON t.id = o.id
)
UPDATE clue_timeline AS t
   SET seq = chain.seq, prev_hash = chain.prev_hash, hash = chain.hash, legacy = true
  FROM chain
 WHERE t.id = chain.id;

ALTER TABLE clue_timeline ENABLE TRIGGER clue_timeline_append_only;

UPDATE clues AS c
   SET timeline_seq = h.seq, timeline_hash = h.hash
  FROM (SELECT DISTINCT ON (clue_id) clue_id, seq, hash FROM clue_timeline ORDER BY clue_id, seq DESC) AS h
 WHERE c.id = h.clue_id;

ALTER TABLE clue_timeline
  ALTER COLUMN seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL,
  ADD CONSTRAINT clue_timeline_clue_seq UNIQUE (clue_id, seq);

-- The daily digest reads a local day's rows by time.
CREATE INDEX clue_timeline_at ON clue_timeline (at);

-- The daily digest (每日摘要) chains the clues together: for each completed local day
-- (Asia/Shanghai), SHA-256 over the previous day's digest and the sorted list of (clue code,
-- last hash of that day) of every clue with rows that day. Written once per day by the
-- timeline-digests component (ON CONFLICT DO NOTHING, so replicas agree), never changed.
-- `heads` keeps that list ([code, seq, hash] per clue), so a clue's verify can say which of its
-- rows no longer matches what the day sealed even if its whole chain was recomputed.
CREATE TABLE timeline_digests (
  day         date PRIMARY KEY,
  prev_digest text NOT NULL,
  digest      text NOT NULL,
  clue_count  integer NOT NULL,
  row_count   integer NOT NULL,
  heads       jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER timeline_digests_append_only BEFORE UPDATE OR DELETE ON timeline_digests
  FOR EACH ROW EXECUTE FUNCTION forbid_timeline_change();
