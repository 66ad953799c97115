SELECT id, kind, disabled FROM devices WHERE id = ANY($1::text[]);
