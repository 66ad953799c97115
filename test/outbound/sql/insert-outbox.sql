-- One outbox row, as the clue store writes it: clue $1 (code $2), change $3, units $4, payload $5.
INSERT INTO clue_outbox (clue_id, clue_code, change, unit_ids, payload)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
