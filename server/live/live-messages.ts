import { z } from 'zod';
import { describeIssues } from '../../core/errors.js';
import { liveFilterSchema } from './live-diff.js';

/**
 * What a client may send on the live WebSocket. `subscribe` starts (or restarts) the clue
 * stream with a filter; with `since` (the last sequence number it received) it resumes: the
 * events it missed come first, or `{type:'reload'}` when they are no longer kept.
 */
export const liveClientMessageSchema = z.discriminatedUnion('type', [
  liveFilterSchema.extend({
    type: z.literal('subscribe'),
    since: z.number().int().min(0).optional(),
  }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type LiveClientMessage = z.infer<typeof liveClientMessageSchema>;

/** Largest client message read; anything longer is refused unread. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** Parses one client frame: the message, or the problems to send back in an error message. */
export function parseClientMessage(data: string): { ok: true; message: LiveClientMessage } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, problems: ['the message is not JSON'] };
  }
  const r = liveClientMessageSchema.safeParse(json);
  return r.success ? { ok: true, message: r.data } : { ok: false, problems: describeIssues(r.error.issues) };
}
