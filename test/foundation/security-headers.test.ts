/**
 * Security headers (helmet) on every kind of answer: the web UI's page, an API answer, an API
 * error and /healthz. The CSP lets the live map run (blob: workers and images, data: images, the
 * MAP_STYLE_URL origin) and forbids framing; test/web/command-centre.test.ts checks it in a browser.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../core/logger.js';
import { authRoutes } from '../../server/auth/auth.routes.js';
import { LoginThrottle } from '../../server/auth/login-throttle.js';
import { createApp } from '../../server/http/app.js';
import { HealthRegistry } from '../../core/health.js';
import { getTestDb, type TestDb } from '../helpers/db.js';

/** createApp around a one-page web root, on an ephemeral port. */
async function serve(db: TestDb, webRoot: string, mapStyleUrl?: string): Promise<{ url: string; close(): Promise<void> }> {
  const routes = authRoutes(db.pool, { throttle: new LoginThrottle(db.pool) });
  const app = createApp({ pool: db.pool, log: createLogger('silent'), health: new HealthRegistry(), routes, webRoot, mapStyleUrl });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The CSP as directive → sources. */
function csp(header: string | null): Map<string, string[]> {
  assert.ok(header, 'a Content-Security-Policy header');
  return new Map(header.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name!, sources]));
}

describe('security headers', () => {
  let db: TestDb;
  let webRoot: string;
  let plain: Awaited<ReturnType<typeof serve>>;
  let styled: Awaited<ReturnType<typeof serve>>;

  before(async () => {
    db = await getTestDb();
    webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-web-'));
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Gridwatch</title>');
    plain = await serve(db, webRoot);
    styled = await serve(db, webRoot, 'https://tiles.example.com/styles/basic/style.json');
  });
  after(async () => {
    await plain?.close();
    await styled?.close();
    await db?.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  for (const [what, route, status] of [
    ['the web UI page', '/', 200],
    ['an API answer', '/api/v1/openapi.json', 200],
    ['an API error', '/api/v1/auth/me', 401],
    ['/healthz', '/healthz', 200],
  ] as const) {
    it(`are on ${what} (${route})`, async () => {
      const res = await fetch(`${plain.url}${route}`);
      assert.equal(res.status, status);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const policy = csp(res.headers.get('content-security-policy'));
      assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(policy.get('default-src'), ["'self'"]);
      assert.deepEqual(policy.get('script-src'), ["'self'"]);
      assert.deepEqual(policy.get('object-src'), ["'none'"]);
      assert.equal(res.headers.get('x-powered-by'), null);
    });
  }

  it('let the map run: workers and images from blob:, data: images, no upgrade to https on a plain-http network', async () => {
    const policy = csp((await fetch(`${plain.url}/`)).headers.get('content-security-policy'));
    assert.deepEqual(policy.get('worker-src'), ["'self'", 'blob:']);
    assert.deepEqual(policy.get('img-src'), ["'self'", 'data:', 'blob:']);
    assert.deepEqual(policy.get('connect-src'), ["'self'"]);
    assert.equal(policy.has('upgrade-insecure-requests'), false);
  });

  it('allow the MAP_STYLE_URL origin for the style, tiles and images, and nothing else', async () => {
    const policy = csp((await fetch(`${styled.url}/`)).headers.get('content-security-policy'));
    assert.deepEqual(policy.get('connect-src'), ["'self'", 'https://tiles.example.com']);
    assert.deepEqual(policy.get('img-src'), ["'self'", 'data:', 'blob:', 'https://tiles.example.com']);
    assert.deepEqual(policy.get('script-src'), ["'self'"]);
  });
});
