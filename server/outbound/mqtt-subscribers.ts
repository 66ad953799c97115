import type pg from 'pg';
import type { SubscriberAuthenticator } from '../../ingest/transports/mqtt-broker.js';
import { userForToken } from '../auth/users.js';
import { clueTopic } from './mqtt-target.js';

/** Every clue topic: `clues/#` or `clues/<unit or +>/events`. */
const ANY_CLUE_TOPIC = /^clues\/(#|[^/#]+\/events)$/;

/**
 * Who may read clue events from the embedded broker: a person logging in with their username
 * and a bearer token of theirs (from POST /api/v1/auth/login) as the password, so the broker
 * never sees a password, under a client id `reader/<username>[/…]` (the broker keeps readers'
 * and devices' client ids apart). Administrators may subscribe to any clue topic; anyone else
 * only to `clues/{their unit}/events`, and someone with no unit to none. The broker asks again
 * periodically and on logout, and closes readers whose token no longer holds.
 */
export function clueSubscribers(pool: pg.Pool): SubscriberAuthenticator {
  return async (username, token) => {
    const user = await userForToken(pool, token);
    if (!user || user.username !== username) return null;
    if (user.role === 'admin') return (filter) => ANY_CLUE_TOPIC.test(filter);
    if (!user.unitId) return null;
    const own = clueTopic(user.unitId);
    return (filter) => filter === own;
  };
}
