-- What catalogue evaluation needs to know about each clue opened in [$1, $2) (optionally only
-- in district $3): item, town, when it opened, its deadline, when it was closed (first
-- transition to 'closed') and how often it changed hands after dispatch (transfers, an operator's
-- re-route, re-routes of a rejected clue, and a second rejection that sent it to co-ordination). Times in epoch ms.
SELECT c.item_code,
       c.town_code,
       c.district_code,
       (extract(epoch FROM c.opened_at) * 1000)::float8 AS opened_at,
       (extract(epoch FROM c.deadline_at) * 1000)::float8 AS deadline,
       (extract(epoch FROM min(t.at) FILTER (WHERE t.to_status = 'closed')) * 1000)::float8 AS closed_at,
       (count(t.id) FILTER (WHERE t.action IN ('transfer', 'reroute')
                              OR (t.action = 'dispatch' AND t.from_status = 'rejected')
                              OR (t.action = 'reject' AND t.to_status = 'dispatched')))::int AS transfers
  FROM clues c
  LEFT JOIN clue_timeline t ON t.clue_id = c.id
 WHERE c.opened_at >= $1 AND c.opened_at < $2
   AND c.item_code IS NOT NULL
   AND ($3::text IS NULL OR c.district_code = $3)
 GROUP BY c.id
