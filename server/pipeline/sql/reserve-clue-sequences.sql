-- Reserves clue-code sequence numbers per district and local day: $1 district codes, $2 local
-- days (YYYYMMDD), $3 how many each needs. Returns the last number reserved for each; the
-- row lock is held until the clue transaction ends, so replicas never share a number.
INSERT INTO clue_sequences (district_code, local_day, last_value)
SELECT d, day, n FROM unnest($1::text[], $2::text[], $3::int[]) AS r(d, day, n)
ON CONFLICT (district_code, local_day) DO UPDATE SET last_value = clue_sequences.last_value + EXCLUDED.last_value
RETURNING district_code, local_day, last_value
