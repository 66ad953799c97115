-- Failed-login counters shared by every replica (server/auth/login-throttle.ts, through
-- rate-limiter-flexible's PostgreSQL store). The columns are the ones that library reads and
-- writes by position: key = '<limiter>:<username or address>', points = attempts counted in the
-- window, expire = end of the window or of the block, in Unix milliseconds. Created here rather
-- than by the library at run time, so the schema is migrated like every other table.
CREATE TABLE auth_throttle (
  key    varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
CREATE INDEX auth_throttle_expire ON auth_throttle (expire);
COMMENT ON TABLE auth_throttle IS 'Failed-login counters per username and per address (rate-limiter-flexible PostgreSQL store); rows past expire are deleted periodically.';
