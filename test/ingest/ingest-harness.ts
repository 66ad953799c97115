/**
 * The real ingest stack for tests: registry, batching sink, HTTP transport and the admin
 * routers in createApp on an ephemeral loopback port, over the test database.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry, type RegistryCacheOptions } from '../../ingest/device-registry.js';
import { BatchingIngestSink, type IngestSinkOptions } from '../../ingest/ingest-sink.js';
import type { AcceptedEventsHandler, RawInput } from '../../ingest/transport.js';
import { HTTP_INGEST_DOC, HttpTransport } from '../../ingest/transports/http.js';
import { createApp } from '../../server/http/app.js';
import { createUser, login, type Role } from '../../server/auth/users.js';
import { deadLetterRoutes } from '../../server/devices/dead-letter.routes.js';
import { deviceRoutes } from '../../server/devices/device.routes.js';
import { HealthRegistry } from '../../core/health.js';

export interface IngestStack {
  devices: DeviceRegistry;
  sink: BatchingIngestSink;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts the ingest stack over `pool`; `sink` tunes the batcher, `registry` the device registry's caches and budgets, `onAccepted` sees stored events. */
export async function startIngestStack(
  pool: pg.Pool,
  opts: { sink?: Partial<IngestSinkOptions>; onAccepted?: AcceptedEventsHandler; registry?: Partial<RegistryCacheOptions> } = {},
): Promise<IngestStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-ingest-'));
  const log = createLogger('silent');
  const devices = new DeviceRegistry(pool, opts.registry);
  const sink = new BatchingIngestSink({ pool, devices, dataDir, log, ...(opts.onAccepted ? { onAccepted: opts.onAccepted } : {}) }, opts.sink);
  const transport = new HttpTransport(devices);
  await transport.start(sink);
  const app = createApp({
    pool,
    log,
    health: new HealthRegistry(),
    intakeRouters: [transport.router],
    routes: [...deviceRoutes(devices), ...deadLetterRoutes(pool, sink)],
    docs: [HTTP_INGEST_DOC],
    checkResponses: true,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    devices,
    sink,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await transport.stop();
      await sink.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a user (an admin unless told) and returns a bearer token for the API. */
export async function userToken(pool: pg.Pool, username = 'ingest-admin', role: Role = 'admin'): Promise<string> {
  await createUser(pool, { username, password: 'user-password-1', displayName: username, role, scopes: [], unitId: null });
  return (await login(pool, username, 'user-password-1')).token;
}

/** A raw input as a transport would hand it to the sink. */
export function raw(payload: unknown, transport: RawInput['transport'] = 'mqtt', authenticatedDeviceId?: string): RawInput {
  return {
    transport,
    payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    receivedAt: Date.now(),
    ...(authenticatedDeviceId ? { authenticatedDeviceId } : {}),
  };
}

/** POSTs device events over HTTP with device credentials; returns status and parsed body. */
export async function postEvents(url: string, deviceId: string | null, token: string | null, body: string | Buffer): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (deviceId !== null) headers['x-device-id'] = deviceId;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/api/v1/device-events`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Counts rows of a table matching an optional SQL condition with parameters. */
export async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}
