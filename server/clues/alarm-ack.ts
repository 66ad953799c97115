import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import type { User } from '../auth/users.js';
import { findVisibleClue } from './clue-queries.js';
import { ALARM_ACK } from './alarm-record.js';
import { clueView, recordChanges, unitsToTell } from './stored-clue.js';

/** The answer of POST /api/v1/clues/:code/alarm-ack. */
export const alarmAckAnswerSchema = z.strictObject({ code: z.string(), at: z.iso.datetime(), by: z.string() });

/**
 * Records that `user` acknowledged the urgent alarm of clue `code`, in one transaction with the
 * clue locked: a timeline row `alarm.ack` on the clue's hash chain and an `alarm` clue event for
 * every unit concerned (so other consoles can close the same alarm). A clue the user cannot see
 * answers GW_CLUE_NOT_FOUND, exactly as an unknown code. Every acknowledgement is recorded: the
 * record says who looked, and when, each time.
 */
export async function acknowledgeAlarm(pool: pg.Pool, user: User, code: string, source: string | null, now = Date.now()): Promise<z.infer<typeof alarmAckAnswerSchema>> {
  return withTransaction(pool, async (client) => {
    const clue = await findVisibleClue(client, user, code, true);
    const at = new Date(now).toISOString();
    const detail = { alarm: { severity: clue.severity, alertType: clue.alertType } };
    await recordChanges(
      client,
      [{ clue_id: clue.id, at: now, actor: user.username, action: ALARM_ACK, from_status: null, to_status: null, source, detail }],
      [
        {
          clue_id: clue.id,
          clue_code: clue.code,
          change: 'alarm',
          unit_ids: unitsToTell(clue),
          payload: { change: 'alarm', clue: clueView(clue), timeline: { at, actor: user.username, action: ALARM_ACK, from: null, to: null, source, detail } },
        },
      ],
    );
    return { code: clue.code, at, by: user.username };
  });
}
