UPDATE devices SET metadata = $2::jsonb WHERE id = $1 RETURNING id;
