import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { currentUser, requireRole } from '../auth/middleware.js';
import { parseInput, parseQuery } from '../http/validate.js';
import { registerPath } from '../openapi.js';
import { createWebhook, deleteWebhook, listWebhookFailures, listWebhooks, newWebhookSchema } from './webhooks.js';

const idParam = z.object({ id: z.uuid() });
const failuresQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

registerPath({
  method: 'post',
  path: '/api/v1/webhooks',
  tag: 'outbound',
  summary: 'Register a webhook for clue events; the answer holds its signing secret, shown once (admin)',
  description:
    'Each clue creation and change is POSTed as JSON, in order, at least once (drop repeated eventId). Headers: X-Gridwatch-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>, X-Gridwatch-Timestamp (unix seconds, equal to the body timestamp, which the signature covers), X-Gridwatch-Event-Id, X-Gridwatch-Attempt. Anything but a 2xx is retried with exponential back-off, up to a maximum number of attempts.',
  body: newWebhookSchema,
  responses: { '201': 'Registered' },
});
registerPath({ method: 'get', path: '/api/v1/webhooks', tag: 'outbound', summary: 'List webhooks with their delivery state (admin)' });
registerPath({ method: 'get', path: '/api/v1/webhooks/:id/failures', tag: 'outbound', summary: 'Events this webhook gave up on after the maximum attempts, newest first, with the last error (admin)', query: failuresQuery, responses: { '404': 'No such webhook' } });
registerPath({ method: 'delete', path: '/api/v1/webhooks/:id', tag: 'outbound', summary: 'Remove a webhook and its delivery state (admin)', responses: { '204': 'Removed', '404': 'No such webhook' } });

/** Webhook administration under /api/v1/webhooks (admin only). */
export function webhookRoutes(pool: pg.Pool): Router {
  const r = Router();
  const admin = requireRole('admin');
  r.post('/api/v1/webhooks', admin, async (req, res) => {
    const input = parseInput(newWebhookSchema, req.body, 'the new webhook');
    res.status(201).json(await createWebhook(pool, input, currentUser(req).username));
  });
  r.get('/api/v1/webhooks', admin, async (_req, res) => {
    res.json({ webhooks: await listWebhooks(pool) });
  });
  r.get('/api/v1/webhooks/:id/failures', admin, async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'the webhook id');
    const { limit } = parseQuery(failuresQuery, req.query, 'the failures query');
    res.json({ failures: await listWebhookFailures(pool, id, limit) });
  });
  r.delete('/api/v1/webhooks/:id', admin, async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'the webhook id');
    await deleteWebhook(pool, id);
    res.status(204).end();
  });
  return r;
}
