-- For each outbox event id $1[i] of clue $2[i], the clue as the previous event of the same clue
-- left it (null for the first). Taking "before" from the outbox itself, not from what a replica
-- happened to see, is what makes every replica compute the same diffs whenever it started.
SELECT t.id, (
         SELECT p.payload -> 'clue' FROM clue_outbox p WHERE p.clue_id = t.clue_id AND p.id < t.id ORDER BY p.id DESC LIMIT 1
       ) AS prev_clue
  FROM unnest($1::bigint[], $2::bigint[]) AS t (id, clue_id)
