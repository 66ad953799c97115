import { z } from 'zod';

/** The timeline action of an acknowledged urgent-clue alarm (web/src/command/urgent-alarm.tsx). */
export const ALARM_ACK = 'alarm.ack';

/** What the timeline records of an acknowledgement: the clue's severity when it was acknowledged. */
export const alarmAckRecordSchema = z.strictObject({
  alarm: z.strictObject({ severity: z.string(), alertType: z.string() }),
});
