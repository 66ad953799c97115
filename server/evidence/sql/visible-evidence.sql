-- One piece of evidence ($4: the SHA-256 of its original) if the user may see a clue it belongs
-- to. $1-$3 the user's scope as the policy module's scopeSqlParams gives it, the rule of
-- canSeePlace: $1 whole city; $2 the scope codes (district, town, community or grid); $3 the
-- user's unit (the clues it is assigned, told about or shows on its board).
SELECT e.*
  FROM evidence AS e
 WHERE e.sha256 = $4
   AND EXISTS (
     SELECT 1
       FROM clue_evidence AS ce
       JOIN clue_rows AS r ON r.id = ce.clue_id
      WHERE ce.sha256 = e.sha256
        AND ($1::boolean
             OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
             OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
             OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids)))))
