/**
 * Fault: the database goes away while people use the API. The service (demo city) reaches
 * PostgreSQL through a TCP proxy (test/ingest/db-proxy.ts) that this test cuts, so every
 * connection drops and every new one is refused. Every GET route of the OpenAPI document, a
 * login and a clue action must then answer 503 GW_DB_UNAVAILABLE with Retry-After (or, for what
 * the service holds in memory, still 200): never another 5xx, never a wrong answer such as 401
 * for a right password. When the proxy takes connections again, the same requests answer as
 * they did before the outage, the clue list with the same clues, and the same login succeeds.
 * Real PostgreSQL only: the embedded PGlite lives inside the
 * service's own process, so there is no connection to cut.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api } from '../helpers/app.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { proxiedUrl, type CuttableProxy } from '../ingest/db-proxy.js';
import { waitFor, wireEvent } from '../ingest/mqtt-kafka-support.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
/** A request that has not answered after this long is counted as hanging (a liveness guard, not a timing bar). */
const HANG_MS = 60_000;

interface Answer {
  status: number;
  code?: string;
  retryAfter: string | null;
  text: string;
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_MS) });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      // A binary or empty answer (the map feed) has no error code.
    }
    return { status: res.status, code, retryAfter: res.headers.get('retry-after'), text };
  } catch (err) {
    return { status: 0, retryAfter: null, text: `no answer: ${(err as Error).message}` };
  }
}

describe('the API while the database is away', { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL): the embedded PGlite runs inside the service, with no connection to cut' }, () => {
  let proxy: CuttableProxy;
  let service: TestGridwatch;
  let auth: Record<string, string>;
  let admin: { username: string; password: string };
  let clue = '';

  before(async () => {
    const db = await getTestDb();
    await resetDb(db.pool);
    const proxied = await proxiedUrl(db.connectionString);
    await db.close();
    proxy = proxied.proxy;
    service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0', DATABASE_URL: proxied.url });
    const { gw } = service;
    admin = gw.demoCredentials.find((c) => c.username === 'admin')!;
    const login = await api(`${gw.url}/api/v1/auth/login`, { body: admin });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    auth = { authorization: `Bearer ${login.body.token}` };
    // One gas leak, so the clue list, the map feed and a clue's page have something to show.
    const gas = gw.demoDevices.find((d) => d.kind === 'gas-sensor')!;
    const event = { ...wireEvent('gas-sensor', gas.id, 1), eventId: 'outage-api-leak', position: { lon: 121.55, lat: 29.87, crs: 'wgs84', accuracyM: 5 }, lelPct: 60 };
    const sent = await api(`${gw.url}/api/v1/device-events`, { headers: { 'x-device-id': gas.id, authorization: `Bearer ${gas.token}` }, body: event });
    assert.equal(sent.body?.accepted, 1, JSON.stringify(sent.body));
    clue = await waitFor('the leak to open a clue', async () => ((await api(`${gw.url}/api/v1/clues`, { headers: auth })).body?.clues?.[0]?.code as string | undefined), 30_000);
  });
  after(async () => {
    await proxy?.listen();
    await service?.close();
    await proxy?.close();
  });

  it('answers 503 GW_DB_UNAVAILABLE with Retry-After on every route while it is away, and as before once it is back', async (t) => {
    const { gw } = service;
    const doc = (await api(`${gw.url}/api/v1/openapi.json`)).body as { paths: Record<string, { get?: unknown }> };
    // Every GET route the document names, its path filled with the clue, a unit or '1'; the WebSocket has its own test (live/).
    const paths = Object.entries(doc.paths)
      .filter(([p, ops]) => ops.get && p !== '/api/v1/live')
      .map(([p]) => p.replace(/\{(\w+)\}/g, (_m, n: string) => (n === 'code' ? clue : '1')));
    const get = (p: string) => send(`${gw.url}${p}`, { headers: auth });
    const beforeCut = new Map<string, Answer>();
    for (const p of paths) beforeCut.set(p, await get(p));
    assert.ok([...beforeCut.values()].filter((a) => a.status === 200).length > 20, 'most GET routes answer 200 with the database up');

    proxy.cut();
    const offenders: string[] = [];
    const unavailable: string[] = [];
    for (const p of paths) {
      const a = await get(p);
      if (a.status === 503 && a.code === 'GW_DB_UNAVAILABLE' && a.retryAfter === '5') unavailable.push(p);
      // The health check's job is to say so: a load balancer takes the instance out of rotation.
      else if (p === '/healthz') assert.deepEqual([a.status, JSON.parse(a.text).components.db.status], [503, 'down'], `healthz: ${a.text}`);
      else if (a.status !== beforeCut.get(p)!.status || a.status >= 500) offenders.push(`GET ${p} → ${a.status} ${a.code ?? ''} ${a.text.slice(0, 100)}`);
    }
    // A right password while the database is away: the service cannot check it, and must not say it is wrong.
    const login = await send(`${gw.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    const action = await send(`${gw.url}/api/v1/clues/${clue}/actions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'dispatch' }),
    });
    t.diagnostic(`${unavailable.length} of ${paths.length} GET routes answered 503 GW_DB_UNAVAILABLE; the others answered as before`);
    assert.deepEqual(offenders, [], 'no route answers another 5xx, hangs, or answers differently than before except with GW_DB_UNAVAILABLE');
    for (const must of ['/api/v1/clues', `/api/v1/clues/${clue}`, '/api/v1/map/clues']) assert.ok(unavailable.includes(must), `${must} says the database is away`);
    assert.deepEqual([login.status, login.code, login.retryAfter], [503, 'GW_DB_UNAVAILABLE', '5'], `login: ${login.text}`);
    assert.deepEqual([action.status, action.code], [503, 'GW_DB_UNAVAILABLE'], `clue action: ${action.text}`);

    await proxy.listen();
    await waitFor('the clue list to answer again', async () => (await get('/api/v1/clues')).status === 200 || undefined, HANG_MS);
    for (const p of paths) assert.equal((await get(p)).status, beforeCut.get(p)!.status, `GET ${p} answers as before the outage`);
    const list = (s: string) => (JSON.parse(s) as { clues: { code: string; status: string }[] }).clues.map((c) => `${c.code} ${c.status}`);
    assert.deepEqual(list((await get('/api/v1/clues')).text), list(beforeCut.get('/api/v1/clues')!.text), 'the same clues, in the same state');
    const again = await api(`${gw.url}/api/v1/auth/login`, { body: admin });
    assert.equal(again.status, 200, `the same login succeeds once the database is back: ${JSON.stringify(again.body)}`);
  });
});
