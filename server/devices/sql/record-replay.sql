-- Records the outcome of replaying each dead letter, one statement for the whole replay.
UPDATE dead_letters d SET replayed_at = now(), replay_result = u.result
FROM unnest($1::bigint[], $2::text[]) AS u(id, result)
WHERE d.id = u.id;
