import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { parseInput } from '../../core/validate.js';
import { registerPath } from '../openapi.js';
import { currentUser, requireRole } from './middleware.js';
import { createUser, listUsers, login, newUserSchema, revokeToken } from './users.js';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

registerPath({ method: 'post', path: '/api/v1/auth/login', tag: 'auth', summary: 'Log in; returns a bearer token', body: loginSchema, public: true });
registerPath({ method: 'post', path: '/api/v1/auth/logout', tag: 'auth', summary: 'Revoke the current token' });
registerPath({ method: 'get', path: '/api/v1/auth/me', tag: 'auth', summary: 'The logged-in user' });
registerPath({ method: 'get', path: '/api/v1/users', tag: 'auth', summary: 'List users (admin)' });
registerPath({ method: 'post', path: '/api/v1/users', tag: 'auth', summary: 'Create a user (admin)', body: newUserSchema });

/** Login, logout, "who am I", and user administration. */
export function authRoutes(pool: pg.Pool): Router {
  const r = Router();
  r.post('/api/v1/auth/login', async (req, res) => {
    const { username, password } = parseInput(loginSchema, req.body, 'the login request');
    const { token, user, expiresAt } = await login(pool, username, password);
    res.json({ token, expiresAt, user });
  });
  r.post('/api/v1/auth/logout', requireRole(), async (req, res) => {
    await revokeToken(pool, req.headers.authorization!.replace(/^Bearer\s+/i, ''));
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
