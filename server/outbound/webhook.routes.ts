import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type Route } from '../http/define-route.js';
import {
  createWebhook,
  deleteWebhook,
  listWebhookFailures,
  listWebhooks,
  newWebhookSchema,
  webhookFailureSchema,
  webhookStateSchema,
  webhookViewSchema,
} from './webhooks.js';

const idParam = z.object({ id: z.uuid() });
const failuresQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const tag = 'outbound';

/** Webhook administration under /api/v1/webhooks (admin only). */
export function webhookRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/webhooks',
        tag,
        summary: 'Register a webhook for clue events; the answer holds its signing secret, shown once (admin)',
        description:
          'Each clue creation and change is POSTed as JSON, in order, at least once (drop repeated eventId). Headers: X-Gridwatch-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>, X-Gridwatch-Timestamp (unix seconds, equal to the body timestamp, which the signature covers), X-Gridwatch-Event-Id, X-Gridwatch-Attempt. Anything but a 2xx is retried with exponential back-off, up to a maximum number of attempts.',
        allow: 'webhooks.manage',
        body: newWebhookSchema,
        status: 201,
        response: webhookViewSchema.extend({ secret: z.string() }),
      },
      ({ body, user }) => createWebhook(pool, body, user.username),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/webhooks',
        tag,
        summary: 'List webhooks with their delivery state (admin)',
        allow: 'webhooks.manage',
        response: z.object({ webhooks: z.array(webhookStateSchema) }),
      },
      async () => ({ webhooks: await listWebhooks(pool) }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/webhooks/:id/failures',
        tag,
        summary: 'Events this webhook gave up on after the maximum attempts, newest first, with the last error (admin)',
        allow: 'webhooks.manage',
        params: idParam,
        query: failuresQuery,
        response: z.object({ failures: z.array(webhookFailureSchema) }),
        errors: ['GW_WEBHOOK_NOT_FOUND'],
      },
      async ({ params, query }) => ({ failures: await listWebhookFailures(pool, params.id, query.limit) }),
    ),
    defineRoute(
      {
        method: 'delete',
        path: '/api/v1/webhooks/:id',
        tag,
        summary: 'Remove a webhook and its delivery state (admin)',
        allow: 'webhooks.manage',
        params: idParam,
        response: null,
        errors: ['GW_WEBHOOK_NOT_FOUND'],
      },
      ({ params }) => deleteWebhook(pool, params.id),
    ),
  ];
}
