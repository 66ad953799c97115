/**
 * defineRoute's own promises, on small routes over the real app: answers are checked for fields
 * their schema does not name, a route may name its validation code, a text body is read only
 * for an authorised caller, and named schemas land once under components.schemas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { defineRoute } from '../../server/http/define-route.js';
import { openApiDocument } from '../../server/http/openapi.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';

const point = z.object({ x: z.number() });
const routes = [
  defineRoute(
    { method: 'get', path: '/api/v1/test/extra', tag: 't', summary: 'answers a field its schema does not name', allow: 'session', response: z.object({ items: z.array(point) }) },
    () => ({ items: [{ x: 1 }, Object.assign({ x: 2 }, { secret: 's' })] }),
  ),
  defineRoute(
    { method: 'get', path: '/api/v1/test/point', tag: 't', summary: 'own validation code', allow: 'session', query: z.object({ x: z.coerce.number() }), invalid: 'GW_GEO_BAD_POINT', response: point },
    ({ query }) => query,
  ),
  defineRoute(
    {
      method: 'post',
      path: '/api/v1/test/upload',
      tag: 't',
      summary: 'text body for admins',
      allow: 'geo.import',
      body: z.unknown(),
      textBody: { type: 'application/geo+json', limit: '1kb' },
      response: z.object({ got: z.string() }),
    },
    ({ body }) => ({ got: typeof body === 'string' ? `text ${body.length}` : `json ${JSON.stringify(body)}` }),
  ),
];

describe('defineRoute', () => {
  let db: TestDb;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let admin: string;
  let worker: string;

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    app = await startTestApp(db.pool, { routes });
    admin = await loginAs(db.pool, app.url, 'route-admin', 'admin');
    worker = await loginAs(db.pool, app.url, 'route-worker', 'worker');
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  it('refuses to send a field the response schema does not name (zod would drop it silently)', async () => {
    const r = await api(`${app.url}/api/v1/test/extra`, { token: worker });
    assert.equal(r.status, 500);
    assert.equal(r.body.error.code, 'GW_INTERNAL');
  });

  it('answers a failed validation with the code the route names', async () => {
    assert.deepEqual((await api(`${app.url}/api/v1/test/point?x=3`, { token: worker })).body, { x: 3 });
    for (const q of ['x=abc', 'x=1&y=2']) {
      const r = await api(`${app.url}/api/v1/test/point?${q}`, { token: worker });
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.code, 'GW_GEO_BAD_POINT', q);
    }
  });

  it('reads a text body only once the caller may call the route, up to its own limit', async () => {
    const post = (token: string | undefined, body: string, type = 'application/geo+json') =>
      fetch(`${app.url}/api/v1/test/upload`, { method: 'POST', headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    assert.deepEqual(await post(admin, '{"type":"FeatureCollection"}'), { status: 200, body: { got: 'text 28' } });
    assert.deepEqual(await post(admin, '{"a":1}', 'application/json'), { status: 200, body: { got: 'json {"a":1}' } });
    assert.equal((await post(undefined, 'x'.repeat(2000))).status, 401);
    assert.equal((await post(worker, 'x'.repeat(2000))).body.error.code, 'GW_FORBIDDEN');
    const big = await post(admin, 'x'.repeat(2000));
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'GW_BODY_TOO_LARGE');
  });

  it('documents a named schema once under components.schemas and refers to it; two schemas under one name are an error', () => {
    const status = z.enum(['on', 'off']).meta({ id: 'TestStatus' });
    const withDefault = z.object({ status, n: z.number().default(1) }).meta({ id: 'TestThing' });
    const doc = openApiDocument([
      defineRoute({ method: 'post', path: '/a', tag: 't', summary: 'a', allow: 'public', body: withDefault, response: z.object({ thing: withDefault, status }) }, ({ body }) => ({ thing: body, status: body.status })),
    ]) as { components: { schemas: Record<string, { required?: string[] }> }; paths: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(doc.components.schemas), ['TestStatus', 'TestThing', 'TestThingInput']);
    assert.deepEqual(doc.components.schemas.TestThing!.required, ['status', 'n'], 'the answer always has the defaulted field');
    assert.deepEqual(doc.components.schemas.TestThingInput!.required, ['status'], 'a request may leave it out');
    assert.match(JSON.stringify(doc.paths['/a']), /"\$ref":"#\/components\/schemas\/TestThing"/);
    assert.doesNotMatch(JSON.stringify(doc), /\$defs/);
    const other = z.enum(['up', 'down']).meta({ id: 'TestStatus' });
    assert.throws(() => openApiDocument([], { schemas: [status, other] }), /Two different schemas are named TestStatus/);
  });
});
