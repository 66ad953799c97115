-- The heads of the timeline chains of clues ($1: ids), locked until the appending transaction
-- ends, in id order so that two writers lock the same clues in the same order. An action has
-- locked its clue already and the pipeline has just inserted or updated its clues; a writer
-- that has not (deadline steps, evidence) waits here, so two never chain from the same row.
SELECT id, code, timeline_seq, timeline_hash FROM clues WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE
