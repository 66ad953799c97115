import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { inScope, scopeOf } from '../../server/auth/policy.js';
import { HealthRegistry } from '../../core/health.js';
import type { User } from '../../server/auth/users.js';

describe('HTTP shell and authentication', () => {
  let db: TestDb;
  let app: Awaited<ReturnType<typeof startTestApp>>;

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    app = await startTestApp(db.pool, { bodyLimit: '10kb' });
    app.health.register('db', async () => (await db.pool.query('SELECT 1'), { status: 'ok' }));
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  it('/healthz reports each dependency and goes 503 when one is down', async () => {
    let r = await api(`${app.url}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ok', components: { db: { status: 'ok' } } });
    app.health.register('mqtt', () => ({ status: 'down', detail: 'broker unreachable' }));
    r = await api(`${app.url}/healthz`);
    assert.equal(r.status, 503);
    assert.equal(r.body.components.mqtt.status, 'down');
    app.health.register('mqtt', () => ({ status: 'off' }));
  });

  it('/metrics exposes HTTP and DB latency histograms', async () => {
    await api(`${app.url}/healthz`);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(text, /gridwatch_http_request_duration_seconds_bucket\{.*route="\/healthz"/);
    assert.match(text, /# TYPE gridwatch_db_query_duration_seconds histogram/);
  });

  it('with an OPS_TOKEN, /metrics needs it and /healthz shows details only to it', async () => {
    const opsToken = 'ops-'.padEnd(40, 'x');
    const health = new HealthRegistry();
    // A failing check's message may name hosts or paths: the public answer must not carry it.
    health.register('db', () => {
      throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
    });
    health.register('mqtt', () => ({ status: 'ok', detail: { mode: 'embedded', port: 1883, clients: 3 } }));
    const ops = await startTestApp(db.pool, { opsToken, health });
    try {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${opsToken}x`, opsToken, `Basic ${opsToken}`]) {
        const m = await api(`${ops.url}/metrics`, authorization ? { headers: { authorization } } : {});
        assert.equal(m.status, 401, `metrics with ${authorization}`);
        assert.equal(m.body.error.code, 'GW_AUTH_REQUIRED');
        const h = await api(`${ops.url}/healthz`, authorization ? { headers: { authorization } } : {});
        assert.equal(h.status, 503);
        assert.deepEqual(h.body, { status: 'degraded', components: { db: { status: 'down' }, mqtt: { status: 'ok' } } });
      }
      const full = await api(`${ops.url}/healthz`, { headers: { authorization: `Bearer ${opsToken}` } });
      assert.equal(full.body.components.db.detail, 'connect ECONNREFUSED 10.1.2.3:5432');
      assert.equal(full.body.components.mqtt.detail.port, 1883);
      const res = await fetch(`${ops.url}/metrics`, { headers: { authorization: `Bearer ${opsToken}` } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /# TYPE gridwatch_http_request_duration_seconds histogram/);
    } finally {
      await ops.close();
    }
  });

  it('answers unknown endpoints, bad JSON and oversized bodies from the error catalogue', async () => {
    let r = await api(`${app.url}/api/v1/nope`);
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'GW_ROUTE_NOT_FOUND');
    r = await api(`${app.url}/api/v1/auth/login`, { body: '{"username": ' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'GW_BAD_JSON');
    r = await api(`${app.url}/api/v1/auth/login`, { body: { username: 'x'.repeat(20_000), password: 'y' } });
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'GW_BODY_TOO_LARGE');
    r = await api(`${app.url}/api/v1/auth/login`, { body: { username: 42 } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'GW_VALIDATION');
    assert.match(r.body.error.message, /username/);
  });

  it('answers input that used to be a 500 with a stable 4xx: NUL, unknown unit, deep nesting, charset, bad compression', async () => {
    const admin = await loginAs(db.pool, app.url, 'root4xx', 'admin');
    let r = await api(`${app.url}/api/v1/auth/login`, { body: { username: 'a\u0000b', password: 'whatever-pw' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'GW_VALIDATION');
    assert.deepEqual(r.body.error.details.problems, ['username: contains a NUL character (\\u0000)']);
    r = await api(`${app.url}/api/v1/auth/login`, { body: { username: 'a\ud800', password: 'whatever-pw' } });
    assert.deepEqual([r.status, r.body.error.details.problems], [400, ['username: is not valid Unicode (a lone surrogate)']]);

    const newUser = { username: 'lost1', password: 'long-enough-pw', displayName: '网格员', role: 'worker', unitId: 'team-nowhere' };
    r = await api(`${app.url}/api/v1/users`, { token: admin, body: newUser });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'GW_USER_UNKNOWN_UNIT');
    assert.match(r.body.error.message, /Creating user lost1: unitId: no unit team-nowhere/);

    const deep = `{"username":${'['.repeat(5000)}${']'.repeat(5000)},"password":"whatever-pw"}`;
    r = await api(`${app.url}/api/v1/auth/login`, { body: deep });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'GW_VALIDATION');
    assert.match(r.body.error.message, /username(\.0)+: nested deeper than 32 levels/);

    const raw = (headers: Record<string, string>, body: Buffer | string) =>
      fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body as BodyInit }).then(async (res) => ({ status: res.status, body: await res.json() }));
    const login = JSON.stringify({ username: 'x', password: 'whatever-pw' });
    r = await raw({ 'content-type': 'application/json; charset=latin1' }, login);
    assert.deepEqual([r.status, r.body.error.code], [415, 'GW_BODY_UNSUPPORTED']);
    assert.match(r.body.error.message, /unsupported charset "LATIN1"/);
    r = await raw({ 'content-encoding': 'compress' }, login);
    assert.deepEqual([r.status, r.body.error.code], [415, 'GW_BODY_UNSUPPORTED']);
    r = await raw({ 'content-encoding': 'br' }, 'not brotli at all');
    assert.deepEqual([r.status, r.body.error.code], [400, 'GW_BODY_UNREADABLE']);
    r = await raw({ 'content-encoding': 'gzip' }, 'not gzip at all');
    assert.deepEqual([r.status, r.body.error.code], [400, 'GW_BODY_UNREADABLE']);
    r = await raw({ 'content-encoding': 'br' }, zlib.brotliCompressSync(login));
    assert.equal(r.status, 401, 'a well-compressed body is read as usual');
  });

  it('logs in, uses the bearer token, and refuses wrong passwords, bad tokens and logged-out tokens', async () => {
    const token = await loginAs(db.pool, app.url, 'op1', 'operator', ['330212']);
    let r = await api(`${app.url}/api/v1/auth/me`, { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.username, 'op1');
    assert.deepEqual(r.body.scopes, ['330212']);

    r = await api(`${app.url}/api/v1/auth/login`, { body: { username: 'op1', password: 'wrong-password' } });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'GW_AUTH_INVALID');
    r = await api(`${app.url}/api/v1/auth/login`, { body: { username: 'nobody', password: 'wrong-password' } });
    assert.equal(r.status, 401);

    r = await api(`${app.url}/api/v1/auth/me`, { token: 'forged-token' });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'GW_AUTH_REQUIRED');
    r = await api(`${app.url}/api/v1/auth/me`, { headers: { authorization: 'Basic abc' } });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'GW_AUTH_INVALID');

    assert.equal((await api(`${app.url}/api/v1/auth/logout`, { method: 'POST', token })).status, 204);
    r = await api(`${app.url}/api/v1/auth/me`, { token });
    assert.equal(r.status, 401);
  });

  it('keeps user administration to admins', async () => {
    const admin = await loginAs(db.pool, app.url, 'root', 'admin');
    const planner = await loginAs(db.pool, app.url, 'ana', 'planner');
    const newUser = { username: 'w1', password: 'long-enough-pw', displayName: '网格员', role: 'worker', scopes: ['330212004'] };
    let r = await api(`${app.url}/api/v1/users`, { token: planner, body: newUser });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'GW_FORBIDDEN');
    r = await api(`${app.url}/api/v1/users`, { body: newUser });
    assert.equal(r.status, 401);
    r = await api(`${app.url}/api/v1/users`, { token: admin, body: newUser });
    assert.equal(r.status, 201);
    assert.equal(r.body.role, 'worker');
    r = await api(`${app.url}/api/v1/users`, { token: admin, body: newUser });
    assert.equal(r.status, 409);
    r = await api(`${app.url}/api/v1/users`, { token: admin });
    assert.ok(r.body.users.every((u: Record<string, unknown>) => !('password_hash' in u) && !('passwordHash' in u)));
    await db.pool.query("UPDATE users SET disabled = true WHERE username = 'w1'");
    r = await api(`${app.url}/api/v1/auth/login`, { body: { username: 'w1', password: 'long-enough-pw' } });
    assert.equal(r.status, 401, 'a disabled user cannot log in');
  });

  it('scopes: an operator sees only their jurisdictions', () => {
    const op: User = { id: 1, username: 'o', displayName: 'o', role: 'operator', scopes: ['330212'], unitId: null };
    assert.equal(inScope(scopeOf(op), ['330212', '330212004']), true);
    assert.equal(inScope(scopeOf(op), ['330203', '330203001']), false);
    assert.equal(inScope(scopeOf({ ...op, scopes: [] }), ['330212']), false, 'an operator without scopes sees nothing');
    assert.equal(inScope(scopeOf({ ...op, role: 'admin', scopes: [] }), ['330203']), true);
    assert.equal(inScope(scopeOf({ ...op, role: 'planner', scopes: [] }), ['330203']), true, 'so does a planner without scopes');
    assert.equal(inScope(scopeOf({ ...op, role: 'admin' }), ['330203']), false, 'a scoped admin sees only their scopes');
  });

  it('publishes an OpenAPI document listing the endpoints', async () => {
    const r = await api(`${app.url}/api/v1/openapi.json`);
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    assert.ok(r.body.paths['/api/v1/auth/login'].post.requestBody);
    assert.ok(r.body.paths['/healthz'].get);
  });
});
