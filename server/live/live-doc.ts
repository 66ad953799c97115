import { z } from 'zod';
import type { PathDoc } from '../../core/api-doc.js';
import { liveClientMessageSchema } from './live-messages.js';

/** Server → client message types and their fields, as docs/LIVE.md lists them. */
const SERVER_MESSAGES: Record<string, string[]> = {
  hello: ['seq', 'user'],
  subscribed: ['seq'],
  opened: ['seq', 'code', 'fields'],
  changed: ['seq', 'code', 'fields'],
  closed: ['seq', 'code', 'reason', 'status'],
  reload: ['seq', 'reason'],
  alert: ['seq', 'code', 'change', 'distanceM', 'rank', 'of', 'clue'],
  device: ['id', 'kind', 'lon', 'lat', 'at'],
  'device-health': ['id', 'kind', 'online', 'at', 'lon', 'lat'],
  figures: ['seq', 'cluesToday', 'onTimeRate', 'overdue', 'eventsPerSecond'],
  error: ['code', 'problems'],
  pong: ['seq'],
};

/**
 * `GET /api/v1/live` in the OpenAPI document. It is a WebSocket upgrade, not a `defineRoute`
 * route, and OpenAPI has no words for frames, so the messages go in `x-` extensions (the client
 * messages as the JSON schema of the zod schema the hub validates with, so they cannot drift).
 */
export const LIVE_DOC: PathDoc = {
  method: 'get',
  path: '/api/v1/live',
  tag: 'live',
  summary: 'Live WebSocket: scoped clue diffs, alerts, devices and figures',
  description: [
    'A WebSocket upgrade (`Connection: Upgrade`, `Upgrade: websocket`). Authenticated by the bearer token,',
    'either as `Authorization: Bearer <token>` or, from browsers, as the subprotocol `bearer.<token>` offered',
    'next to `gridwatch.live` (`Sec-WebSocket-Protocol: gridwatch.live, bearer.<token>`); the server answers',
    'with `gridwatch.live`. The token is checked again every 3 s: revoked, expired or a disabled user closes',
    'the socket with 4401. Frames are JSON text; the client sends `subscribe` (filter, optional `since` to',
    'resume) and `ping`; the server sends the types in `x-server-messages`, each clue message with a sequence',
    'number. A slow client is closed and must resubscribe with `since`. See docs/LIVE.md.',
  ].join(' '),
  auth: 'bearer',
  upgrade: true,
  responses: {
    '101': 'Switching Protocols: the WebSocket is open (subprotocol gridwatch.live)',
    '401': 'No token, or a bad, revoked or expired one (GW_AUTH_REQUIRED or GW_AUTH_INVALID); the upgrade is refused',
  },
  extensions: {
    'x-websocket': { subprotocols: ['gridwatch.live', 'bearer.<token>'], closeCodes: { '4401': 'token revoked or expired, or user disabled' } },
    'x-client-messages': z.toJSONSchema(liveClientMessageSchema, { io: 'input', unrepresentable: 'any' }),
    'x-server-messages': SERVER_MESSAGES,
  },
};
