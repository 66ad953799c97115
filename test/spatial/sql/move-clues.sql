-- Changes clues after they opened, as the lifecycle does ($1 ids): a re-route to another item
-- ($2 item, '' for none), a transfer to another unit ($3), a merge (status 'merged' when $4),
-- and, for the rollup's sake, a new place ($5 town, $6 grid; NULL keeps it).
UPDATE clues
   SET item_code = nullif($2::text, ''), primary_unit_id = $3::text, status = CASE WHEN $4::boolean THEN 'merged' ELSE status END,
       town_code = coalesce($5::text, town_code), grid_code = coalesce($6::text, grid_code)
 WHERE id = ANY ($1::int[])
