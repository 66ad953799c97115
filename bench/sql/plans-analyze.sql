-- Fresh planner statistics after seeding, as autovacuum would give a running database.
ANALYZE device_events
