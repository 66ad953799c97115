SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled;
