/**
 * Webhook delivery of clue events over real HTTP on loopback: registration API (and its
 * refusals), HMAC signatures, order, retries with back-off, the maximum attempt count, a unit
 * filter, an unreachable receiver that holds back nobody else, a redirect that is not followed, two dispatchers sharing the
 * work, and outbox id gaps (rolled back, or still being committed on real PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../core/logger.js';
import { registry } from '../../core/metrics.js';
import { withTransaction } from '../../db/transaction.js';
import { OutboundDispatcher } from '../../server/outbound/dispatcher.js';
import { webhookRoutes } from '../../server/outbound/webhook.routes.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { freePort, waitFor } from '../ingest/mqtt-kafka-support.js';
import { insertClue, insertOutbox, signatureValid, startHangingReceiver, startReceiver, startRedirectingReceiver } from './fixtures.js';

const log = createLogger('silent');
/** Fast back-off and polling so retries happen within the test's bounded waits. */
const FAST = { pollMs: 20, backoffBaseMs: 20, backoffMaxMs: 200, lagRefreshMs: 0, webhookTimeoutMs: 500 } as const;

async function metric(name: string, target: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values as { value: number; labels: Record<string, string> }[] | undefined)?.find((x) => x.labels.target === target);
  return v?.value ?? 0;
}

describe('webhooks', () => {
  let db: TestDb;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let admin: string;
  const dispatchers: OutboundDispatcher[] = [];
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    app = await startTestApp(db.pool, { routes: webhookRoutes(db.pool) });
    admin = await loginAs(db.pool, app.url, 'hook-admin', 'admin');
  });
  after(async () => {
    for (const d of dispatchers) await d.stop();
    for (const c of closers) await c();
    await app.close();
    await db.close();
  });

  async function register(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const r = await api(`${app.url}/api/v1/webhooks`, { token: admin, body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }

  async function startDispatcher(opts: { maxAttempts?: number; owner?: string } = {}): Promise<OutboundDispatcher> {
    const d = new OutboundDispatcher({ pool: db.pool, log, targets: {}, ...FAST, ...opts });
    await d.start();
    dispatchers.push(d);
    return d;
  }

  test('registration is admin-only, validated, and shows the secret only once', async () => {
    const worker = await loginAs(db.pool, app.url, 'hook-worker', 'worker');
    assert.equal((await api(`${app.url}/api/v1/webhooks`)).status, 401, 'no token');
    assert.equal((await api(`${app.url}/api/v1/webhooks`, { token: worker })).status, 403, 'a worker may not list webhooks');
    assert.equal((await api(`${app.url}/api/v1/webhooks`, { token: worker, body: { url: 'http://127.0.0.1:9/x' } })).status, 403);
    const bad = await api(`${app.url}/api/v1/webhooks`, { token: admin, body: { url: 'ftp://127.0.0.1/x', secret: 'short' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'GW_VALIDATION');
    assert.match(bad.body.error.message, /url/);
    assert.match(bad.body.error.message, /secret/);

    const made = await register({ url: 'http://127.0.0.1:9/gone', description: 'to delete' });
    assert.ok(made.secret.length >= 32, 'a generated secret comes back once');
    const listed = await api(`${app.url}/api/v1/webhooks`, { token: admin });
    assert.equal(listed.status, 200);
    const mine = listed.body.webhooks.find((w: { id: string }) => w.id === made.id);
    assert.ok(mine, 'the new webhook is listed');
    assert.equal(mine.secret, undefined, 'the list never shows the secret');
    assert.equal(mine.delivery.delivered, 0);
    assert.equal(JSON.stringify(listed.body).includes(made.secret), false);

    assert.equal((await api(`${app.url}/api/v1/webhooks/not-a-uuid`, { method: 'DELETE', token: admin })).status, 400);
    assert.equal((await api(`${app.url}/api/v1/webhooks/${made.id}`, { method: 'DELETE', token: worker })).status, 403);
    assert.equal((await api(`${app.url}/api/v1/webhooks/${made.id}/failures`, { token: worker })).status, 403);
    assert.equal((await api(`${app.url}/api/v1/webhooks/${made.id}`, { method: 'DELETE', token: admin })).status, 204);
    const gone = await api(`${app.url}/api/v1/webhooks/${made.id}`, { method: 'DELETE', token: admin });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'GW_WEBHOOK_NOT_FOUND');
    assert.equal((await api(`${app.url}/api/v1/webhooks/${made.id}/failures`, { token: admin })).status, 404);
    const after = await api(`${app.url}/api/v1/webhooks`, { token: admin });
    assert.equal(after.body.webhooks.some((w: { id: string }) => w.id === made.id), false);
  });

  test('signed events arrive in order; a flaky receiver gets them after retries; a hanging and a dead one hold back nobody; the dead one gives up after max attempts', async () => {
    const good = await startReceiver();
    const flaky = await startReceiver(2);
    const filtered = await startReceiver();
    closers.push(good.close, flaky.close, filtered.close);
    const deadUrl = `http://127.0.0.1:${await freePort()}/nobody-listens`;
    const hanging = await startHangingReceiver();
    closers.push(hanging.close);
    // A receiver that redirects elsewhere (an internal address, say): Gridwatch must not follow.
    const lured = await startReceiver();
    const redirecting = await startRedirectingReceiver(lured.url);
    closers.push(lured.close, redirecting.close);

    const goodHook = await register({ url: good.url, secret: 'good-receiver-secret-0123456789' });
    const flakyHook = await register({ url: flaky.url });
    const filteredHook = await register({ url: filtered.url, unitIds: ['unit-b'] });
    const deadHook = await register({ url: deadUrl });
    const hangingHook = await register({ url: hanging.url });
    const redirectHook = await register({ url: redirecting.url });
    assert.equal(goodHook.secret, 'good-receiver-secret-0123456789', 'a provided secret is kept');

    // Two replicas share the targets through their leases.
    await startDispatcher({ maxAttempts: 3, owner: 'replica-1' });
    await startDispatcher({ maxAttempts: 3, owner: 'replica-2' });

    const clues: { id: number; code: string }[] = [];
    for (const code of ['330203-20260301-0001', '330203-20260301-0002', '330203-20260301-0003']) {
      clues.push({ id: await insertClue(db.pool, { code }), code });
    }
    const ids: number[] = [];
    const units = [['unit-a'], ['unit-b', 'unit-a'], ['unit-c']];
    for (let i = 0; i < 30; i++) {
      const clue = clues[i % 3]!;
      ids.push(await insertOutbox(db.pool, clue, i < 3 ? 'created' : 'updated', units[i % 3]!, { n: i }));
    }

    await waitFor('the good receiver to get all 30 events', () => good.accepted.length >= 30);
    assert.ok(hanging.connections > 0, 'the hanging webhook was tried meanwhile');
    assert.deepEqual(good.accepted.map((r) => r.body.eventId), ids, 'every event, once, in outbox order');
    for (const r of good.accepted) {
      assert.ok(signatureValid(goodHook.secret, r), `signature of event ${r.body.eventId}`);
      assert.equal(r.headers['x-gridwatch-timestamp'], String(r.body.timestamp), 'the signed body carries the timestamp header');
      assert.ok(Math.abs(Date.now() / 1000 - r.body.timestamp) < 600, 'a fresh timestamp');
      assert.equal(r.headers['x-gridwatch-event-id'], String(r.body.eventId));
    }
    for (const clue of clues) {
      const n = good.accepted.filter((r) => r.body.clueCode === clue.code).map((r) => r.body.payload.n as number);
      assert.deepEqual(n, [...n].sort((a, b) => a - b), `events of ${clue.code} in order`);
    }
    assert.equal(signatureValid('some-other-secret-0123456789', good.accepted[0]!), false, 'another secret does not verify');

    await waitFor('the flaky receiver to get all 30 events after its failures', () => flaky.accepted.length >= 30);
    assert.deepEqual(flaky.accepted.map((r) => r.body.eventId), ids);
    assert.equal(flaky.requests, 32, 'two refused tries, then each event once');
    assert.equal(flaky.accepted[0]!.headers['x-gridwatch-attempt'], '3', 'the first event went through on its third attempt');
    assert.ok(flaky.accepted.every((r) => signatureValid(flakyHook.secret, r)));

    await waitFor('the filtered receiver to get the events naming unit-b', () => filtered.accepted.length >= 10);
    assert.deepEqual(
      filtered.accepted.map((r) => r.body.eventId),
      ids.filter((_, i) => i % 3 === 1),
      'only events naming unit-b',
    );

    // The dead receiver: three tries per event, then the event is given up and recorded.
    const list = await waitFor('the dead webhook to give up on every event', async () => {
      const r = await api(`${app.url}/api/v1/webhooks`, { token: admin });
      const dead = r.body.webhooks.find((w: { id: string }) => w.id === deadHook.id);
      return dead.delivery.failed === 30 ? r.body.webhooks : undefined;
    }, 60_000);
    const dead = list.find((w: { id: string }) => w.id === deadHook.id);
    assert.equal(dead.delivery.delivered, 0);
    assert.match(dead.delivery.lastError, /ECONNREFUSED/);
    assert.equal(dead.delivery.lastEventId, ids.at(-1));
    const failures = await api(`${app.url}/api/v1/webhooks/${deadHook.id}/failures?limit=1000`, { token: admin });
    assert.equal(failures.status, 200);
    assert.deepEqual(failures.body.failures.map((f: { eventId: number }) => f.eventId), [...ids].reverse(), 'each given-up event is recorded, newest first');
    assert.ok(failures.body.failures.every((f: { attempts: number; lastError: string }) => f.attempts === 3 && /ECONNREFUSED/.test(f.lastError)));
    assert.deepEqual((await api(`${app.url}/api/v1/webhooks/${goodHook.id}/failures`, { token: admin })).body.failures, []);
    const goodState = list.find((w: { id: string }) => w.id === goodHook.id);
    assert.equal(goodState.delivery.delivered, 30);
    assert.equal(goodState.delivery.lastError, null);
    const hangingState = list.find((w: { id: string }) => w.id === hangingHook.id);
    assert.ok(hangingState.delivery.lastEventId < ids.at(-1)!, 'the hanging webhook is still behind');
    assert.match(hangingState.delivery.lastError ?? '', /no answer within 500 ms/);
    const redirectState = list.find((w: { id: string }) => w.id === redirectHook.id);
    assert.ok(redirecting.requests > 0, 'the redirecting webhook was tried');
    assert.equal(redirectState.delivery.delivered, 0, 'a redirect is not a delivery');
    assert.match(redirectState.delivery.lastError ?? '', /answered HTTP 307/);
    assert.equal(lured.requests, 0, 'the redirect was never followed');

    assert.equal(await metric('gridwatch_outbound_delivered_total', `webhook:${goodHook.id}`), 30);
    assert.equal(await metric('gridwatch_outbound_given_up_total', `webhook:${deadHook.id}`), 30);
    assert.ok((await metric('gridwatch_outbound_failed_attempts_total', `webhook:${flakyHook.id}`)) >= 2);
    await waitFor('the lag gauge of the good webhook to read 0', async () => (await metric('gridwatch_outbound_lag_events', `webhook:${goodHook.id}`)) === 0 || undefined);
  });

  test('an outbox id that was rolled back is skipped; one still being committed is waited for (real PostgreSQL)', async (t) => {
    const rx = await startReceiver();
    closers.push(rx.close);
    const hook = await register({ url: rx.url });
    const clue = { id: await insertClue(db.pool, { code: '330203-20260301-0100' }), code: '330203-20260301-0100' };
    let rolledBack = 0;
    await assert.rejects(
      withTransaction(db.pool, async (client) => {
        rolledBack = await insertOutbox(client, clue, 'updated', ['unit-a']);
        throw new Error('rolled back on purpose');
      }),
      /rolled back on purpose/,
    );
    const next = await insertOutbox(db.pool, clue, 'updated', ['unit-a'], { n: 'after the gap' });
    assert.ok(next > rolledBack);
    await waitFor('the event after the rolled-back id', () => rx.accepted.some((r) => r.body.eventId === next));

    if (db.backend !== 'postgres') {
      // PGlite serves every connection from one session: a transaction held open on one
      // connection while another commits cannot be staged there.
      t.diagnostic('in-flight commit case runs on real PostgreSQL only');
      return;
    }
    const pg = await import('pg');
    const slow = new pg.default.Pool({ connectionString: db.connectionString, max: 1 });
    try {
      let late = 0;
      // The transaction commits when this callback returns.
      const early = await withTransaction(slow, async (client) => {
        // The clue row first, as the clue store does: the transaction has its xid before its outbox id.
        await client.query("UPDATE clues SET updated_at = now() WHERE id = $1", [clue.id]);
        const early = await insertOutbox(client, clue, 'updated', ['unit-a'], { n: 'early id, late commit' });
        const other = { id: await insertClue(db.pool, { code: '330203-20260301-0101' }), code: '330203-20260301-0101' };
        late = await insertOutbox(db.pool, other, 'created', ['unit-a'], { n: 'late id, early commit' });
        assert.ok(late > early);
        // Give the dispatcher many rounds in which it could wrongly move past `early`.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(rx.accepted.some((r) => r.body.eventId === late), false, 'nothing after the uncommitted id is delivered yet');
        return early;
      });
      await waitFor('both events once the early id committed', () => rx.accepted.some((r) => r.body.eventId === late));
      const got = rx.accepted.map((r) => r.body.eventId);
      assert.deepEqual(got.slice(-2), [early, late], 'delivered in id order, the early id not skipped');
    } finally {
      await slow.end();
    }
    assert.ok(hook.id);
  });
});
