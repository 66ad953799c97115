import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';

const { deleteExpired } = defineQueries(import.meta.url, { deleteExpired: 'delete-expired-throttle' });

/** At most `points` login attempts not yet successful per key within `durationS`; past that the key is refused for `blockS`. */
export interface FailureLimit {
  points: number;
  durationS: number;
  blockS: number;
}

/** The login throttling policy (README, "HTTP API"). */
export interface LoginPolicy {
  perUsername: FailureLimit;
  perAddress: FailureLimit;
}

/**
 * 10 failures for one username in 15 minutes lock that username for 15 minutes (then its owner
 * logs in as usual); 50 failures from one address in 15 minutes lock the address for 30 minutes.
 */
export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  perUsername: { points: 10, durationS: 15 * 60, blockS: 15 * 60 },
  perAddress: { points: 50, durationS: 15 * 60, blockS: 30 * 60 },
};

/**
 * Failed-login limits per username and per client address, kept in PostgreSQL
 * (`auth_throttle`, migration 050) so every replica sees the same counts. An attempt is counted
 * before its password is checked, so a burst of parallel guesses is capped as well as a slow
 * one, and given back when it succeeds; a success also clears the username's count.
 */
export class LoginThrottle {
  private readonly byUsername: RateLimiterPostgres;
  private readonly byAddress: RateLimiterPostgres;

  constructor(
    private readonly pool: pg.Pool,
    readonly policy: LoginPolicy = DEFAULT_LOGIN_POLICY,
  ) {
    // The library names its prepared statements; the embedded PGlite serves every connection
    // from one session, where a second connection preparing the same name fails. Unnamed
    // queries work on both backends.
    const storeClient = { query: (q: { text: string; values?: unknown[] }) => pool.query(q.text, q.values) };
    const limiter = (keyPrefix: string, l: FailureLimit) =>
      new RateLimiterPostgres({
        storeClient,
        storeType: 'client',
        tableName: 'auth_throttle',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix,
        points: l.points,
        duration: l.durationS,
        blockDuration: l.blockS,
      });
    this.byUsername = limiter('login-user', policy.perUsername);
    this.byAddress = limiter('login-addr', policy.perAddress);
  }

  /**
   * Counts a login attempt for `username` from `address` before the password is checked;
   * throws GW_AUTH_THROTTLED (details: retryAfterS, limit) when either is over its budget.
   */
  async attempt(username: string, address: string): Promise<void> {
    await consume(this.byAddress, address, `Logging in as ${username} from ${address}: too many failed logins from this address`, 'address');
    await consume(this.byUsername, username, `Logging in as ${username}: too many failed logins for this username`, 'username');
  }

  /** A successful login: the username's failures are forgotten and the address gets its attempt back. */
  async succeeded(username: string, address: string): Promise<void> {
    await Promise.all([this.byUsername.delete(username), this.byAddress.reward(address, 1)]);
  }

  /** Deletes counters that ended more than an hour ago (a periodic job). */
  async removeExpired(): Promise<void> {
    await this.pool.query(deleteExpired, [Date.now() - 3600_000]);
  }
}

async function consume(limiter: RateLimiterPostgres, key: string, what: string, limit: 'username' | 'address'): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    // The limiter rejects with a RateLimiterRes when over the limit, with an Error when the store failed.
    if (!(res instanceof RateLimiterRes)) throw res;
    const retryAfterS = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    throw new GwError('GW_AUTH_THROTTLED', `${what}; retry in ${retryAfterS} s`, { retryAfterS, limit });
  }
}
