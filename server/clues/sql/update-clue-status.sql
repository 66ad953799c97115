-- Stores what a lifecycle transition changed ($1 id, $2 status, $3 primary unit, $4 needs
-- confirmation, $5 units that rejected it, $6 closed at source; a re-route also replaces the
-- routing: $7 co-notified units, $8 board units, $9 reasons, $10 catalogue version, $11 item
-- code, $12 item name).
UPDATE clues
   SET status = $2, primary_unit_id = $3, needs_confirmation = $4, rejected_by = $5::text[], closed_at_source = $6,
       co_notified = $7::text[], board_unit_ids = $8::text[], reasons = $9::jsonb, catalogue_version = $10,
       item_code = $11, item_name = $12::jsonb, updated_at = now()
 WHERE id = $1
