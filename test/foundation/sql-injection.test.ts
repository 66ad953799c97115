/**
 * SQL injection on every filter: each query and path parameter of every GET route in the OpenAPI
 * document gets a corpus of SQL metacharacter payloads (tautologies, comments, stacked statements,
 * UNION, dollar quotes, LIKE wildcards, PostGIS calls), as the district operator and as the
 * administrator, against the real service in demo mode. Nothing may answer 5xx or log an error;
 * the district operator's answers may never name a clue outside the district (a tautology that
 * widened a scoped query would show one); and after the pass a sentinel table and the rows of
 * clues, users and devices are exactly as before (a stacked DROP or UPDATE would show).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';

/** The payloads, as a user would type them (URL-encoded when sent). */
const CORPUS = [
  "' OR '1'='1",
  "' OR 1=1--",
  "1' OR '1'='1' /*",
  '" OR ""="',
  "'; DROP TABLE gw_injection_sentinel; --",
  "'); DROP TABLE gw_injection_sentinel; --",
  "1; UPDATE clues SET status = 'closed'; --",
  "' UNION SELECT code FROM clues --",
  "' UNION ALL SELECT NULL, NULL, NULL --",
  '$$ OR 1=1 $$',
  "$1' OR '",
  "\\'; DELETE FROM users; --",
  "%' OR code LIKE '%",
  '%',
  '_',
  '330212 OR 1=1',
  "330212' OR district_code IS NOT NULL OR '",
  "ST_MakeEnvelope(-180,-90,180,90,4326)",
  "121,29,122,30); DROP TABLE gw_injection_sentinel; --",
  "0,0,180,90' OR '1'='1",
  '{"$ne":null}',
  "E'\\x27 OR 1=1",
];

/** A fingerprint of the rows an injected statement would change. */
const FINGERPRINT = `SELECT
  (SELECT count(*) || ':' || coalesce(md5(string_agg(code || status || coalesce(district_code, ''), ',' ORDER BY code)), '') FROM clues) AS clues,
  (SELECT count(*) || ':' || coalesce(md5(string_agg(username || role || disabled::text, ',' ORDER BY username)), '') FROM users) AS users,
  (SELECT count(*) || ':' || coalesce(md5(string_agg(id || disabled::text, ',' ORDER BY id)), '') FROM devices) AS devices,
  (SELECT count(*) FROM gw_injection_sentinel) AS sentinel`;

describe('SQL injection: metacharacters in every filter change nothing and widen nothing', () => {
  const errorLines: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void errorLines.push(line) });
  let service: TestGridwatch;
  const headers: Record<'admin' | 'operator', Record<string, string>> = { admin: {}, operator: {} };
  /** Clue codes the district operator may not see (each answered 404 to them). */
  let outside: string[] = [];
  let inside = '';

  before(async () => {
    service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0' }, log);
    const { gw } = service;
    for (const [who, username] of [['admin', 'admin'], ['operator', 'district-operator']] as const) {
      const c = gw.demoCredentials.find((x) => x.username === username)!;
      const r = await api(`${gw.url}/api/v1/auth/login`, { body: { username: c.username, password: c.password } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      headers[who] = { authorization: `Bearer ${r.body.token}` };
    }
    // Gas leaks in three districts far apart, so some clues lie outside the operator's district.
    const gas = gw.demoDevices.filter((d) => d.kind === 'gas-sensor').slice(0, 3);
    const places = [
      { lon: 121.55, lat: 29.82 },
      { lon: 121.3, lat: 30.2 },
      { lon: 121.9, lat: 29.3 },
    ];
    for (const [i, d] of gas.entries()) {
      const event = { eventId: `inject-seed-${i}`, deviceId: d.id, kind: 'gas-sensor', ts: new Date().toISOString(), position: places[i], lelPct: 60 };
      const sent = await api(`${gw.url}/api/v1/device-events`, { headers: { 'x-device-id': d.id, authorization: `Bearer ${d.token}` }, body: event });
      assert.equal(sent.body?.accepted, 1, JSON.stringify(sent.body));
    }
    let codes: string[] = [];
    for (let i = 0; i < 150 && codes.length < 3; i++) {
      codes = ((await api(`${gw.url}/api/v1/clues?limit=50`, { headers: headers.admin })).body.clues as { code: string }[]).map((c) => c.code);
      if (codes.length < 3) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(codes.length, 3, 'the three leaks opened three clues');
    for (const code of codes) {
      const r = await api(`${gw.url}/api/v1/clues/${code}`, { headers: headers.operator });
      if (r.status === 404) outside.push(code);
      else inside = code;
    }
    assert.ok(outside.length > 0 && inside, `clues both inside and outside the district (outside: ${outside.join(',')})`);
    await gw.db.pool.query('CREATE TABLE gw_injection_sentinel (n int); INSERT INTO gw_injection_sentinel VALUES (1)');
  });
  after(async () => {
    await service?.gw.db.pool.query('DROP TABLE IF EXISTS gw_injection_sentinel').catch(() => undefined);
    await service?.close();
  });

  it('every GET parameter × every payload: a 4xx or a scoped answer, no error, no change', async (t) => {
    const { gw } = service;
    const before = (await gw.db.pool.query(FINGERPRINT)).rows[0];
    const doc = (await api(`${gw.url}/api/v1/openapi.json`)).body as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
    const offenders: string[] = [];
    let sent = 0;
    let params = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      // The WebSocket's filters travel in its messages; tests/live/live-ws.test.ts spoofs them.
      if (!op || path === '/api/v1/live') continue;
      const fill = (override: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_m, n: string) => override[n] ?? encodeURIComponent(n === 'code' ? inside : '1'));
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query' && p.in !== 'path') continue;
        params++;
        for (const payload of CORPUS) {
          const value = encodeURIComponent(payload);
          const url = p.in === 'path' ? `${gw.url}${fill({ [p.name]: value })}` : `${gw.url}${fill({})}?${p.name}=${value}`;
          for (const who of ['operator', 'admin'] as const) {
            const logged = errorLines.length;
            const res = await fetch(url, { headers: headers[who] });
            const text = await res.text();
            sent++;
            const leaked = who === 'operator' ? outside.filter((code) => text.includes(code)) : [];
            if (res.status >= 500 || errorLines.length > logged || leaked.length) {
              offenders.push(`${who} GET ${url.replace(gw.url, '').slice(0, 140)} → ${res.status}${leaked.length ? ` names ${leaked.join(',')} outside the scope` : ''} ${text.slice(0, 120)}`);
            }
          }
        }
      }
    }
    t.diagnostic(`${sent} requests over ${params} parameters`);
    assert.ok(params > 40, `the document's GET routes have parameters to inject into (${params})`);
    assert.equal(offenders.length, 0, `${offenders.length} of ${sent} requests:\n${offenders.join('\n')}`);
    assert.deepEqual(errorLines, []);
    assert.deepEqual((await gw.db.pool.query(FINGERPRINT)).rows[0], before, 'no row of clues, users, devices or the sentinel changed');
  });
});
