-- Stores what a lifecycle transition changed ($1 id, $2 status, $3 primary unit, $4 needs
-- confirmation, $5 units that rejected it).
UPDATE clues SET status = $2, primary_unit_id = $3, needs_confirmation = $4, rejected_by = $5::text[], updated_at = now() WHERE id = $1
