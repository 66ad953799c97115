/**
 * `GET /api/v1/live` is in the OpenAPI document: the upgrade (101, no 200), the person's bearer
 * token (the default security, not the public empty list), and the messages in `x-` extensions,
 * the client ones generated from the schema the hub validates with.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offlineApiDocument } from '../../server/api-types.js';
import { parseClientMessage } from '../../server/live/live-messages.js';

type Op = { security?: unknown; responses: Record<string, unknown>; 'x-client-messages': { oneOf?: unknown[]; anyOf?: unknown[] }; 'x-server-messages': Record<string, string[]> };

test('the live WebSocket is described in the OpenAPI document', () => {
  const doc = offlineApiDocument() as { paths: Record<string, { get?: Op }> };
  const op = doc.paths['/api/v1/live']?.get;
  assert.ok(op, 'GET /api/v1/live is documented');
  assert.deepEqual(Object.keys(op.responses).sort(), ['101', '401']);
  assert.equal(op.security, undefined, 'it needs the bearer token (the document default), it is not public');
  const variants = op['x-client-messages'].oneOf ?? op['x-client-messages'].anyOf ?? [];
  assert.equal(variants.length, 2, 'subscribe and ping');
  for (const t of ['hello', 'opened', 'changed', 'closed', 'reload', 'alert', 'device', 'device-health', 'figures', 'error', 'pong']) {
    assert.ok(op['x-server-messages'][t], `server message ${t}`);
  }
  // The documented client messages are the ones the hub accepts.
  assert.ok(parseClientMessage(JSON.stringify({ type: 'ping' })).ok);
  assert.ok(!parseClientMessage(JSON.stringify({ type: 'nope' })).ok);
});
