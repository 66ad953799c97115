import crypto from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { randomSecret } from '../../core/passwords.js';
import { defineQueries } from '../../db/sql.js';

const sql = defineQueries(import.meta.url, {
  insert: 'insert-webhook',
  list: 'list-webhooks',
  remove: 'delete-webhook',
  failures: 'list-failures',
});

/** A webhook registration (admin API body). */
export const newWebhookSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).max(2000),
  /** HMAC key; generated (32 random bytes) when absent. Either way it is shown only in the creation answer. */
  secret: z.string().min(16).max(200).optional(),
  /** Deliver only events naming one of these units; absent = every event. */
  unitIds: z.array(z.string().regex(/^[A-Za-z0-9._:-]+$/).max(64)).min(1).max(1000).optional(),
  description: z.string().max(200).optional(),
});
export type NewWebhook = z.infer<typeof newWebhookSchema>;

/** A webhook as the API shows it: its registration, never the secret. */
export const webhookViewSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  unitIds: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

/** A webhook as the API lists it: registration and delivery state. */
export const webhookStateSchema = webhookViewSchema.extend({
  delivery: z.object({
    lastEventId: z.number().int(),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime(),
    lastError: z.string().nullable(),
    delivered: z.number().int(),
    failed: z.number().int(),
    lastDeliveredAt: z.iso.datetime().nullable(),
  }),
});

type WebhookRow = { id: string; url: string; unit_ids: string[] | null; description: string | null; created_by: string; created_at: Date };
/** bigint columns arrive as text or number depending on pg's type parsers. */
type StateRow = WebhookRow & {
  last_id: number | string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  delivered: number | string;
  failed: number | string;
  last_delivered_at: Date | null;
};

const view = (r: WebhookRow): WebhookView => ({
  id: r.id,
  url: r.url,
  unitIds: r.unit_ids,
  description: r.description,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

/** The delivery target name of a webhook in `outbound_targets` and in metrics. */
export function webhookTarget(id: string): string {
  return `webhook:${id}`;
}

/** Registers a webhook; the answer is the only place its secret is ever shown. */
export async function createWebhook(pool: pg.Pool, input: NewWebhook, createdBy: string): Promise<WebhookView & { secret: string }> {
  const id = crypto.randomUUID();
  const secret = input.secret ?? randomSecret(32);
  const { rows } = await pool.query<WebhookRow>(sql.insert, [id, input.url, secret, input.unitIds ?? null, input.description ?? null, createdBy, webhookTarget(id)]);
  return { ...view(rows[0]!), secret };
}

/** Lists webhooks with their delivery state. */
export async function listWebhooks(pool: pg.Pool): Promise<z.infer<typeof webhookStateSchema>[]> {
  const { rows } = await pool.query<StateRow>(sql.list);
  return rows.map((r) => ({
    ...view(r),
    delivery: {
      lastEventId: Number(r.last_id),
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at.toISOString(),
      lastError: r.last_error,
      delivered: Number(r.delivered),
      failed: Number(r.failed),
      lastDeliveredAt: r.last_delivered_at?.toISOString() ?? null,
    },
  }));
}

/** An event a webhook gave up on after the maximum attempts. */
export const webhookFailureSchema = z.object({
  eventId: z.number().int(),
  clueCode: z.string(),
  attempts: z.number().int(),
  lastError: z.string(),
  failedAt: z.iso.datetime(),
});
export type WebhookFailure = z.infer<typeof webhookFailureSchema>;

/** The events a webhook gave up on, newest first; GW_WEBHOOK_NOT_FOUND when there is no such webhook. */
export async function listWebhookFailures(pool: pg.Pool, id: string, limit: number): Promise<WebhookFailure[]> {
  const { rows } = await pool.query<{ outbox_id: number | string | null; clue_code: string; attempts: number; last_error: string; failed_at: Date }>(sql.failures, [id, limit]);
  if (!rows.length) throw new GwError('GW_WEBHOOK_NOT_FOUND', `Listing the failed deliveries of webhook ${id}: there is no such webhook`);
  return rows
    .filter((r) => r.outbox_id !== null)
    .map((r) => ({ eventId: Number(r.outbox_id), clueCode: r.clue_code, attempts: r.attempts, lastError: r.last_error, failedAt: r.failed_at.toISOString() }));
}

/** Removes a webhook and its delivery state; GW_WEBHOOK_NOT_FOUND when there is none. */
export async function deleteWebhook(pool: pg.Pool, id: string): Promise<void> {
  const { rowCount } = await pool.query(sql.remove, [id]);
  if (!rowCount) throw new GwError('GW_WEBHOOK_NOT_FOUND', `Deleting webhook ${id}: there is no such webhook`);
}
