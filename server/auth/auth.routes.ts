import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type Route } from '../http/define-route.js';
import type { LoginThrottle } from './login-throttle.js';
import { createUser, listUsers, login, newUserSchema, revokeToken, ROLES } from './users.js';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

/** A person as the API shows them (never a password hash). */
const userSchema = z.strictObject({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  /** Jurisdiction codes (district, town, community or grid); empty: the whole city for admins and planners. */
  scopes: z.array(z.string()),
  unitId: z.string().nullable(),
});

const tag = 'auth';

/**
 * Login (throttled by `throttle`), logout, "who am I", and user administration. `onTokenRevoked`
 * hears of each logout, so connections opened with that token (MQTT readers) close at once.
 */
export function authRoutes(pool: pg.Pool, opts: { throttle: LoginThrottle; onTokenRevoked?: (token: string) => void }): Route[] {
  return [
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/auth/login',
        tag,
        summary: 'Log in; returns a bearer token',
        description:
          'Failed logins are limited per username and per client address (README, "HTTP API"); past a limit the answer is 429 GW_AUTH_THROTTLED with Retry-After, without checking the password. 503 GW_AUTH_BUSY (with Retry-After) when too many password checks are already queued.',
        allow: 'public',
        body: loginSchema,
        response: z.strictObject({ token: z.string(), expiresAt: z.iso.datetime(), user: userSchema }),
        errors: ['GW_AUTH_INVALID', 'GW_AUTH_THROTTLED', 'GW_AUTH_BUSY'],
      },
      async ({ body: { username, password }, req }) => {
        const address = req.ip ?? 'unknown';
        await opts.throttle.attempt(username, address);
        const { token, user, expiresAt } = await login(pool, username, password);
        await opts.throttle.succeeded(username, address);
        return { token, expiresAt, user };
      },
    ),
    defineRoute({ method: 'post', path: '/api/v1/auth/logout', tag, summary: 'Revoke the current token', allow: 'session', response: null }, async ({ req }) => {
      const token = req.headers.authorization!.replace(/^Bearer\s+/i, '');
      await revokeToken(pool, token);
      opts.onTokenRevoked?.(token);
    }),
    defineRoute({ method: 'get', path: '/api/v1/auth/me', tag, summary: 'The logged-in user', allow: 'session', response: userSchema }, ({ user }) => user),
    defineRoute(
      { method: 'get', path: '/api/v1/users', tag, summary: 'List users (admin)', allow: 'users.manage', response: z.strictObject({ users: z.array(userSchema.extend({ disabled: z.boolean() })) }) },
      async () => ({ users: await listUsers(pool) }),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/users',
        tag,
        summary: 'Create a user (admin)',
        allow: 'users.manage',
        body: newUserSchema,
        status: 201,
        response: userSchema,
        errors: ['GW_CONFLICT', 'GW_USER_UNKNOWN_UNIT'],
      },
      ({ body }) => createUser(pool, body),
    ),
  ];
}
