-- Before a bulk load into the bench's own database: drops the secondary indexes and the unique and
-- foreign-key constraints of clues and clue_timeline (not the primary keys, which the rows fill in
-- order) and turns off the hotspot-count triggers, keeping the DDL that undoes it (and the
-- counts' rebuild) in bench_dropped_ddl so spatial-restore-indexes.sql builds them again.
-- One build over sorted input takes a fraction of a million incremental GiST/B-tree inserts, and a
-- foreign key is checked by one join instead of once per row. A run that dies in between leaves
-- the DDL in the table, and the next run restores it first.
CREATE TABLE IF NOT EXISTS bench_dropped_ddl (ord serial PRIMARY KEY, ddl text NOT NULL);
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT con.conrelid::regclass AS tbl, con.conname, pg_get_constraintdef(con.oid) AS def
             FROM pg_constraint AS con
            WHERE con.conrelid IN ('clues'::regclass, 'clue_timeline'::regclass) AND con.contype IN ('u', 'f')
  LOOP
    INSERT INTO bench_dropped_ddl (ddl) VALUES (format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.conname, r.def));
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
  END LOOP;
  FOR r IN SELECT i.indexrelid::regclass AS idx, pg_get_indexdef(i.indexrelid) AS def
             FROM pg_index AS i
            WHERE i.indrelid IN ('clues'::regclass, 'clue_timeline'::regclass)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint AS con WHERE con.conindid = i.indexrelid)
  LOOP
    INSERT INTO bench_dropped_ddl (ddl) VALUES (r.def);
    EXECUTE format('DROP INDEX %s', r.idx);
  END LOOP;
  -- The hotspot counts (migration 116) and the map's cluster counts (118) are not kept row by row
  -- during the load: the triggers go off, and the restore turns them on and fills the counts from
  -- the loaded rows in one pass.
  FOR r IN SELECT tg.tgrelid::regclass AS tbl, tg.tgname
             FROM pg_trigger AS tg
            WHERE tg.tgrelid IN ('clues'::regclass, 'clue_timeline'::regclass) AND (tg.tgname LIKE '%hotspot%' OR tg.tgname LIKE '%map_squares%')
  LOOP
    INSERT INTO bench_dropped_ddl (ddl) VALUES (format('ALTER TABLE %s ENABLE TRIGGER %I', r.tbl, r.tgname));
    EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', r.tbl, r.tgname);
  END LOOP;
  INSERT INTO bench_dropped_ddl (ddl) VALUES ('SELECT hotspot_rebuild()'), ('SELECT clue_map_rebuild()');
END $$
