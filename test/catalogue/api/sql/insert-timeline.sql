-- One timeline event for clue $1 at $2: action $3 from status $4 to $5.
INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status)
VALUES ($1, $2, 'test', $3, $4, $5)
