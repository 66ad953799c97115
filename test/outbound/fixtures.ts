/**
 * Shared by the outbound and catalogue-API tests: clues and outbox rows written straight to
 * the tables (the shape migrations 001, 032 and 033 define), a webhook receiver on an
 * ephemeral loopback port, and bounded waits.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type pg from 'pg';
import { loadSql } from '../../db/sql.js';

const sql = {
  clue: loadSql(new URL('./sql/insert-clue.sql', import.meta.url)),
  outbox: loadSql(new URL('./sql/insert-outbox.sql', import.meta.url)),
  unit: loadSql(new URL('./sql/insert-unit.sql', import.meta.url)),
};

/** Inserts a unit row (a town team unless told otherwise). */
export async function insertUnit(db: pg.Pool, id: string, kind = 'town-team', districtCode: string | null = null, townCode: string | null = null): Promise<void> {
  await db.query(sql.unit, [id, kind, districtCode, townCode]);
}

/** Inserts a clue; returns its id. */
export async function insertClue(
  db: pg.Pool | pg.ClientBase,
  c: { code: string; itemCode?: string | null; unitId?: string; openedAt?: Date; deadline?: Date; townCode?: string | null; districtCode?: string | null; status?: string },
): Promise<number> {
  const openedAt = c.openedAt ?? new Date();
  const { rows } = await db.query<{ id: string }>(sql.clue, [
    c.code,
    c.itemCode ?? null,
    c.unitId ?? 'unit-a',
    openedAt,
    c.deadline ?? new Date(openedAt.getTime() + 3600_000),
    c.townCode ?? null,
    c.districtCode ?? null,
    c.status ?? 'new',
  ]);
  return Number(rows[0]!.id);
}

/** Inserts one outbox row for a clue; returns its id. */
export async function insertOutbox(
  db: pg.Pool | pg.ClientBase,
  clue: { id: number; code: string },
  change: 'created' | 'updated' | 'transitioned',
  unitIds: string[],
  payload: Record<string, unknown> = {},
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(sql.outbox, [clue.id, clue.code, change, unitIds, { change, ...payload }]);
  return Number(rows[0]!.id);
}

/** One delivery a receiver got: headers, raw body and parsed body. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { eventId: number; clueCode: string; change: string; unitIds: string[]; timestamp: number; payload: Record<string, unknown> };
}

/**
 * A webhook receiver on 127.0.0.1 and an ephemeral port. It answers 500 to the first
 * `failFirst` requests, then 204, and keeps every request it accepted.
 */
export async function startReceiver(failFirst = 0): Promise<{ url: string; accepted: Received[]; requests: number; close(): Promise<void> }> {
  const state = { accepted: [] as Received[], requests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      if (state.requests <= failFirst) {
        res.writeHead(500).end('not yet');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      state.accepted.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get accepted() {
      return state.accepted;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A receiver that answers every request with a 307 to `location`, counting the requests. */
export async function startRedirectingReceiver(location: string): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(307, { location }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/moved`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A receiver that accepts connections and never answers: a webhook that hangs. `requests`
 * counts connections that sent a request; `open` those still open, so a test can show that a
 * request is still being held (the sender has neither timed out nor given up on it).
 */
export async function startHangingReceiver(): Promise<{ url: string; connections: number; requests: number; open: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let requests = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.once('data', () => requests++);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hangs`,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The receiver's side of the signature check, written from the contract, not from the sender's code. */
export function signatureValid(secret: string, r: Received): boolean {
  const expected = `sha256=${crypto.createHmac('sha256', secret).update(r.raw).digest('hex')}`;
  const got = String(r.headers['x-gridwatch-signature'] ?? '');
  return got.length === expected.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}
