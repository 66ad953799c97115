/**
 * Login throttling and the bound on concurrent key derivations. Requests come from several
 * loopback addresses (127.0.0.2…, bound with http's localAddress), so per-address limits are
 * seen as a client behind another address would see them. The limits are kept by
 * rate-limiter-flexible in PostgreSQL (embedded PGlite or real, through `pg`); the number of
 * scrypt runs in progress is counted around node's crypto.scrypt itself.
 */
import { resetScryptPeak, scryptProbe } from '../helpers/scrypt-probe.js';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import pg from 'pg';
import { GwError } from '../../core/errors.js';
import { hashSecret, setKdfLimits, verifySecret, type KdfLimits } from '../../core/passwords.js';
import { sleep } from '../../core/retry.js';
import { LoginThrottle, type LoginPolicy } from '../../server/auth/login-throttle.js';
import { createUser } from '../../server/auth/users.js';
import { postFrom, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

type Answer = Awaited<ReturnType<typeof postFrom>>;

/** POST /api/v1/auth/login from the loopback address `from`. */
const loginFrom = (url: string, from: string, username: string, password: string): Promise<Answer> =>
  postFrom(`${url}/api/v1/auth/login`, from, JSON.stringify({ username, password }));

/** A 429 GW_AUTH_THROTTLED naming `limit`, with Retry-After in whole seconds. */
function assertThrottled(a: Answer, limit: 'username' | 'address', what: string): number {
  assert.equal(a.status, 429, `${what}: ${JSON.stringify(a.body)}`);
  assert.equal(a.body.error.code, 'GW_AUTH_THROTTLED', what);
  assert.equal(a.body.error.details.limit, limit, what);
  assert.match(a.retryAfter ?? '', /^[1-9]\d*$/, `${what}: Retry-After`);
  return Number(a.retryAfter);
}

const POLICY: LoginPolicy = {
  perUsername: { points: 3, durationS: 2, blockS: 2 },
  perAddress: { points: 10, durationS: 60, blockS: 60 },
};

describe('login throttling and the KDF bound', () => {
  let db: TestDb;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let limits: KdfLimits;

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    for (const username of ['alice', 'bob']) {
      await createUser(db.pool, { username, password: `pw-${username}-secret`, displayName: username, role: 'operator', scopes: [], unitId: null });
    }
    app = await startTestApp(db.pool, { loginThrottle: new LoginThrottle(db.pool, POLICY) });
    limits = setKdfLimits({});
  });
  afterEach(() => setKdfLimits(limits));
  after(async () => {
    await app?.close();
    await db.close();
  });

  it('limits failures per username and per address with 429, Retry-After and GW_AUTH_THROTTLED; the real user logs in after the window', async () => {
    const attacker = '127.0.0.2';
    for (let i = 0; i < 3; i++) assert.equal((await loginFrom(app.url, attacker, 'alice', `guess-${i}`)).status, 401);
    assertThrottled(await loginFrom(app.url, attacker, 'alice', 'guess-3'), 'username', 'a fourth guess');
    assertThrottled(await loginFrom(app.url, attacker, 'alice', 'pw-alice-secret'), 'username', 'even the right password is not checked while the username is locked');
    const wait = assertThrottled(await loginFrom(app.url, '127.0.0.3', 'alice', 'pw-alice-secret'), 'username', 'the username is locked from every address');
    assert.equal((await loginFrom(app.url, '127.0.0.4', 'bob', 'pw-bob-secret')).status, 200, 'another username from another address is unaffected');

    // The attacker turns to other usernames: the address budget (10 attempts, 5 used) runs out.
    for (let i = 0; i < 5; i++) assert.equal((await loginFrom(app.url, attacker, `carol-${i}`, 'guess')).status, 401);
    assertThrottled(await loginFrom(app.url, attacker, 'carol-9', 'guess'), 'address', 'the address is over its budget');
    assertThrottled(await loginFrom(app.url, attacker, 'bob', 'pw-bob-secret'), 'address', 'a blocked address gets no password check');
    assert.equal((await loginFrom(app.url, '127.0.0.4', 'bob', 'pw-bob-secret')).status, 200);

    // Documented policy: the username is locked for blockS (here 2 s), then its owner logs in.
    await sleep(wait * 1000 + 200);
    const alice = await loginFrom(app.url, '127.0.0.3', 'alice', 'pw-alice-secret');
    assert.equal(alice.status, 200, JSON.stringify(alice.body));
    assert.equal(alice.body.user.username, 'alice');
  });

  it('a successful login clears the username count', async () => {
    const from = '127.0.0.5';
    for (let i = 0; i < 2; i++) assert.equal((await loginFrom(app.url, from, 'bob', `typo-${i}`)).status, 401);
    assert.equal((await loginFrom(app.url, from, 'bob', 'pw-bob-secret')).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await loginFrom(app.url, from, 'bob', `typo-again-${i}`)).status, 401, 'the budget starts afresh');
    assertThrottled(await loginFrom(app.url, from, 'bob', 'typo'), 'username', 'past it');
  });

  it('counts are shared through the database: two replicas (two pools) add up', async () => {
    const other = new pg.Pool({ connectionString: db.connectionString, max: 1 });
    try {
      const a = new LoginThrottle(db.pool, POLICY);
      const b = new LoginThrottle(other, POLICY);
      await a.attempt('dave', '127.0.0.9');
      await b.attempt('dave', '127.0.0.9');
      await a.attempt('dave', '127.0.0.9');
      await assert.rejects(b.attempt('dave', '127.0.0.9'), (err: GwError) => err.code === 'GW_AUTH_THROTTLED');
      await b.succeeded('dave', '127.0.0.9');
      await a.attempt('dave', '127.0.0.9');
    } finally {
      await other.end();
    }
  });

  it('runs at most `concurrency` scrypt checks at once: 16 parallel bad logins all answer 401', async () => {
    setKdfLimits({ concurrency: 2, queue: 32 });
    resetScryptPeak();
    const runs = scryptProbe.runs;
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => loginFrom(app.url, `127.0.1.${i + 1}`, `nobody-${i}`, 'wrong-password')));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(16).fill(401),
    );
    assert.equal(scryptProbe.runs - runs, 16, 'every login was checked');
    assert.ok(scryptProbe.peak <= 2, `at most 2 scrypt runs at once, saw ${scryptProbe.peak}`);
  });

  it('refuses checks past the queue with GW_AUTH_BUSY (503, Retry-After)', async () => {
    const stored = await hashSecret('the-secret');
    setKdfLimits({ concurrency: 2, queue: 4 });
    resetScryptPeak();
    // Called in one tick: two run, four wait, ten are refused at once.
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => verifySecret('guess', stored)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 6);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as GwError);
    assert.equal(refused.length, 10);
    assert.ok(refused.every((e) => e.code === 'GW_AUTH_BUSY' && e.status === 503 && (e.details as { retryAfterS: number }).retryAfterS >= 1));
    assert.ok(scryptProbe.peak <= 2, `at most 2 scrypt runs at once, saw ${scryptProbe.peak}`);
  });
});
