import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { parseInput } from '../../core/validate.js';
import { registerPath } from '../openapi.js';
import type { LoginThrottle } from './login-throttle.js';
import { currentUser, requireRole } from './middleware.js';
import { createUser, listUsers, login, newUserSchema, revokeToken } from './users.js';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

registerPath({
  method: 'post',
  path: '/api/v1/auth/login',
  tag: 'auth',
  summary: 'Log in; returns a bearer token',
  description:
    'Failed logins are limited per username and per client address (README, "HTTP API"); past a limit the answer is 429 GW_AUTH_THROTTLED with Retry-After, without checking the password. 503 GW_AUTH_BUSY (with Retry-After) when too many password checks are already queued.',
  body: loginSchema,
  public: true,
  responses: { '429': 'Too many failed logins for this username or from this address (GW_AUTH_THROTTLED); see Retry-After', '503': 'Too many password checks in progress (GW_AUTH_BUSY); see Retry-After' },
});
registerPath({ method: 'post', path: '/api/v1/auth/logout', tag: 'auth', summary: 'Revoke the current token' });
registerPath({ method: 'get', path: '/api/v1/auth/me', tag: 'auth', summary: 'The logged-in user' });
registerPath({ method: 'get', path: '/api/v1/users', tag: 'auth', summary: 'List users (admin)' });
registerPath({ method: 'post', path: '/api/v1/users', tag: 'auth', summary: 'Create a user (admin)', body: newUserSchema });

/**
 * Login (throttled by `throttle`), logout, "who am I", and user administration. `onTokenRevoked`
 * hears of each logout, so connections opened with that token (MQTT readers) close at once.
 */
export function authRoutes(pool: pg.Pool, opts: { throttle: LoginThrottle; onTokenRevoked?: (token: string) => void }): Router {
  const r = Router();
  r.post('/api/v1/auth/login', async (req, res) => {
    const { username, password } = parseInput(loginSchema, req.body, 'the login request');
    const address = req.ip ?? 'unknown';
    await opts.throttle.attempt(username, address);
    const { token, user, expiresAt } = await login(pool, username, password);
    await opts.throttle.succeeded(username, address);
    res.json({ token, expiresAt, user });
  });
  r.post('/api/v1/auth/logout', requireRole(), async (req, res) => {
    const token = req.headers.authorization!.replace(/^Bearer\s+/i, '');
    await revokeToken(pool, token);
    opts.onTokenRevoked?.(token);
    res.status(204).end();
  });
  r.get('/api/v1/auth/me', requireRole(), (req, res) => {
    res.json(currentUser(req));
  });
  r.get('/api/v1/users', requireRole('admin'), async (_req, res) => {
    res.json({ users: await listUsers(pool) });
  });
  r.post('/api/v1/users', requireRole('admin'), async (req, res) => {
    const user = await createUser(pool, parseInput(newUserSchema, req.body, 'the new user'));
    res.status(201).json(user);
  });
  return r;
}
