-- Builds again what spatial-drop-indexes.sql dropped (nothing when it has not run), turns the
-- hotspot triggers on and fills the counts, with memory enough for the million-row builds, and
-- forgets the DDL.
SET maintenance_work_mem = '1GB';
DO $$
DECLARE r record;
BEGIN
  IF to_regclass('bench_dropped_ddl') IS NULL THEN RETURN; END IF;
  FOR r IN SELECT ord, ddl FROM bench_dropped_ddl ORDER BY ord LOOP
    EXECUTE r.ddl;
    DELETE FROM bench_dropped_ddl WHERE ord = r.ord;
  END LOOP;
END $$;
RESET maintenance_work_mem
