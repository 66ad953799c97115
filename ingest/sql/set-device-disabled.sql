UPDATE devices SET disabled = $2 WHERE id = $1 RETURNING id;
