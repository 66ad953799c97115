-- An outbox row for bench clue $1 written before the hub starts, so the hub starts at the sequence's
-- newest id: the rows an earlier run deleted leave no gap after it for the gap-safe mark to wait on
-- (on a shared server another database's long transaction would hold that wait for minutes).
-- The hub never reads this row (it starts after it); the first bench event of the clue sees it as
-- its previous event, with no clue in it.
INSERT INTO clue_outbox (clue_id, clue_code, change, unit_ids, payload)
SELECT id, code, 'updated', '{bench-unit}', '{"change": "updated"}'::jsonb FROM clues WHERE id = $1
