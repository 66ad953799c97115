-- Queues clue events for the dispatcher in one statement ($1: jsonb array of {clue_id,
-- clue_code, change, unit_ids, payload}); always inside the transaction of the change itself.
INSERT INTO clue_outbox (clue_id, clue_code, change, unit_ids, payload)
SELECT o.clue_id, o.clue_code, o.change, o.unit_ids, o.payload
  FROM jsonb_to_recordset($1::jsonb) AS o(clue_id bigint, clue_code text, change text, unit_ids text[], payload jsonb)
