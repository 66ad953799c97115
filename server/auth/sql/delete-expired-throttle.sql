-- Failed-login counters whose window or block ended before $1 (Unix ms); expired rows are
-- already ignored by the limiter, this only keeps the table small.
DELETE FROM auth_throttle WHERE expire < $1;
