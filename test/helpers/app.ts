import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { authRoutes } from '../../server/auth/auth.routes.js';
import { LoginThrottle } from '../../server/auth/login-throttle.js';
import { createApp, type AppDeps } from '../../server/http/app.js';
import { HealthRegistry } from '../../core/health.js';
import { createUser, type Role } from '../../server/auth/users.js';

/**
 * An HTTP server around createApp on an ephemeral loopback port, for tests: the auth routes
 * (login with `loginThrottle`, the default policy when absent) and the test's own `routes`.
 */
export async function startTestApp(
  pool: pg.Pool,
  opts: Pick<AppDeps, 'routes' | 'bodyLimit' | 'opsToken'> & {
    health?: HealthRegistry;
    loginThrottle?: LoginThrottle;
    onTokenRevoked?: (token: string) => void;
    /** Called with the HTTP server before it listens (a WebSocket hub attaches to its upgrades). */
    attach?: (server: http.Server) => void;
  } = {},
): Promise<{ url: string; health: HealthRegistry; close(): Promise<void> }> {
  const health = opts.health ?? new HealthRegistry();
  const auth = authRoutes(pool, { throttle: opts.loginThrottle ?? new LoginThrottle(pool), onTokenRevoked: opts.onTokenRevoked });
  const app = createApp({ pool, log: createLogger('silent'), health, routes: [...auth, ...(opts.routes ?? [])], bodyLimit: opts.bodyLimit, opsToken: opts.opsToken, checkResponses: true });
  const server = http.createServer(app);
  opts.attach?.(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    health,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** fetch + JSON body parse; returns status and parsed body (null when empty). */
export async function api(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Creates a user (of a unit, when given) and logs them in; returns the bearer token. */
export async function loginAs(
  pool: pg.Pool,
  baseUrl: string,
  username: string,
  role: Role,
  scopes: string[] = [],
  unitId: string | null = null,
): Promise<string> {
  const password = `pw-${username}-secret`;
  await createUser(pool, { username, password, displayName: username, role, scopes, unitId });
  const r = await api(`${baseUrl}/api/v1/auth/login`, { body: { username, password } });
  if (r.status !== 200) throw new Error(`login as ${username} failed: ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/**
 * POSTs a JSON body from the loopback address `from` (any 127.x.y.z), so that per-address limits
 * see a client of its own; returns status, Retry-After and the parsed body.
 */
export function postFrom(url: string, from: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter?: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode!, ...(retryAfter ? { retryAfter } : {}), body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
