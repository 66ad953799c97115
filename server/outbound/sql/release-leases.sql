-- Gives up replica $1's leases at shutdown, so another replica takes its targets over at once.
UPDATE outbound_targets SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1
