import http from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GwError, type ErrorCode } from '../../core/errors.js';
import type { ComponentHealth } from '../../core/health.js';
import { every, type Periodic } from '../../core/every.js';
import type { Logger } from '../../core/logger.js';
import { sha256 } from '../../core/passwords.js';
import { defineQueries } from '../../db/sql.js';
import type { DeviceEvent } from '../../ingest/device-event.js';
import { ingestReceived } from '../../ingest/metrics.js';
import { scopeOf, scopeSqlParams } from '../auth/policy.js';
import { userForToken, type Role, type User } from '../auth/users.js';
import type { ClueDeadlineStep } from '../clues/clue-event.js';
import type { ClueView } from '../clues/stored-clue.js';
import { OutboxWatermark } from '../outbound/watermark.js';
import { diffFor, inBbox, type Viewer } from './live-diff.js';
import { MAX_CLIENT_MESSAGE_BYTES, parseClientMessage } from './live-messages.js';
import { LatestClues } from './latest-clues.js';
import { LiveRing, type LiveEvent } from './live-ring.js';
import { workersToAlert } from './worker-duty.js';

const sql = defineQueries(import.meta.url, {
  end: 'outbox-end',
  read: 'read-live-events',
  previous: 'previous-clues',
  tokens: 'live-tokens',
  figures: 'live-figures',
  deviceHealth: 'device-health',
});

/** The path of the live WebSocket. */
export const LIVE_PATH = '/api/v1/live';
/** The subprotocol a client offers (with `bearer.<token>` when it cannot set headers). */
export const LIVE_PROTOCOL = 'gridwatch.live';

/** Close codes the hub uses (4xxx: application codes, RFC 6455 §7.4.2). */
export const LIVE_CLOSE = {
  /** The token was revoked or expired, or the user disabled: log in again. */
  unauthorised: 4401,
  /** The client read too slowly: reconnect and resume (or reload). */
  slow: 4429,
} as const;

export interface LiveHubOptions {
  pool: pg.Pool;
  log: Logger;
  /** How often the outbox is read. */
  pollMs?: number;
  /** Events kept for resuming clients. */
  ringSize?: number;
  /** A socket with more than this many bytes queued is cut off and asked to resync. */
  maxBufferedBytes?: number;
  /** How often every connection's token is checked again. */
  tokenCheckMs?: number;
  /** How often the header figures are pushed. */
  figuresMs?: number;
  /** Least time between two positions sent for one device. */
  devicePositionMs?: number;
  /** A device silent for longer than this (seconds; or three reporting intervals) is offline. */
  offlineAfterS?: number;
  /** How often device health is checked for online/offline changes. */
  deviceHealthMs?: number;
  /** The jurisdiction codes of a point (the in-memory locator), for scoping device updates. */
  locate?: (lon: number, lat: number) => (string | null)[];
}

/** A device fix or health change the ingest side reports. */
export type DeviceUpdate =
  | { type: 'device'; id: string; kind: string; lon: number; lat: number; at: string; codes: readonly (string | null)[] }
  | { type: 'device-health'; id: string; kind: string; online: boolean; at: string; lon: number | null; lat: number | null; codes: readonly (string | null)[] };

interface Connection {
  ws: WebSocket;
  /** The upgraded TCP socket under `ws`, corked while a page of events is fanned out. */
  socket: Duplex;
  tokenHash: string;
  user: User;
  /** Null until the client subscribes: clue diffs flow only after `subscribe`. */
  viewer: Viewer | null;
  /** Identifies equal scope + filter, so equal viewers share one serialised diff. */
  viewerKey: string;
  /** The highest sequence number this connection has been given (or skipped). */
  sentUpTo: number;
  open: boolean;
}

type EventRow = { id: string | number; clue_id: string | number; clue_code: string; change: string; payload: { clue: ClueView; step?: ClueDeadlineStep } };

/**
 * The live WebSocket hub (GET /api/v1/live, docs/LIVE.md). It tails `clue_outbox` in id order
 * up to the dispatcher's gap-safe high-water mark (OutboxWatermark), so every replica settles
 * the same events in the same order; the outbox id is the sequence number clients see. Each
 * connection gets the diffs its user may see (policy module) through its filter, a bounded ring
 * lets a reconnecting client resume, and a socket that does not keep up is closed (4429) on
 * its own without slowing the others. New and escalated clues are pushed to the on-duty grid
 * workers of the responsible unit nearby, nearest first.
 */
export class LiveHub {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Connection>();
  private ring!: LiveRing;
  private latest!: LatestClues;
  private watermark!: OutboxWatermark;
  private cursor = 0;
  private timers: Periodic[] = [];
  private server?: http.Server;
  private lastError?: string;
  private readonly lastDevicePosition = new Map<string, number>();
  private deviceOnline?: Map<string, boolean>;
  private received = { total: 0, at: Date.now(), perSecond: 0 };

  constructor(private readonly opts: LiveHubOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CLIENT_MESSAGE_BYTES,
      handleProtocols: (protocols) => (protocols.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false),
    });
  }

  /** Starts at the current end of the outbox and begins tailing it. */
  async start(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ end_id: string }>(sql.end);
    this.cursor = Number(rows[0]!.end_id);
    this.watermark = new OutboxWatermark(this.opts.pool, this.cursor);
    this.ring = new LiveRing(this.opts.ringSize ?? 10_000, this.cursor);
    this.latest = new LatestClues(this.opts.ringSize ?? 10_000);
    const { log } = this.opts;
    this.timers = [
      every('live-tail', this.opts.pollMs ?? 100, () => this.tail(), log),
      every('live-token-check', this.opts.tokenCheckMs ?? 3000, () => this.checkTokens(), log),
      every('live-figures', this.opts.figuresMs ?? 5000, () => this.pushFigures(), log),
      every('live-device-health', this.opts.deviceHealthMs ?? 15_000, () => this.checkDeviceHealth(), log),
    ];
  }

  /** Serves the WebSocket on `server`'s upgrade requests to LIVE_PATH. */
  attach(server: http.Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
  }

  /** Closes at once the connections opened with `token` (its owner logged out here). */
  revokeToken(token: string): void {
    const hash = sha256(token);
    for (const c of this.conns) if (c.tokenHash === hash) this.close(c, LIVE_CLOSE.unauthorised, 'token revoked');
  }

  /** Reads up to the high-water mark now (tests and shutdown use it). */
  async catchUp(): Promise<void> {
    await this.timers[0]?.runNow();
  }

  /** The sequence number the hub has settled up to. */
  get seq(): number {
    return this.cursor;
  }

  /** Stops tailing and closes every connection (1001 going away). */
  async stop(): Promise<void> {
    for (const t of this.timers) await t.stop();
    this.server?.off('upgrade', this.onUpgrade);
    for (const c of this.conns) this.close(c, 1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  health(): ComponentHealth {
    const detail = { connections: this.conns.size, seq: this.cursor, resumableFrom: this.ring?.floor ?? null };
    return this.lastError ? { status: 'down', detail: { ...detail, error: this.lastError } } : { status: 'ok', detail };
  }

  /**
   * A device position (at most one per device per `devicePositionMs`) or a health change, to
   * the subscribed users whose scope holds the device's place and whose filter matches it.
   */
  publishDevice(update: DeviceUpdate): void {
    if (update.type === 'device') {
      const now = Date.now();
      const last = this.lastDevicePosition.get(update.id);
      if (last !== undefined && now - last < (this.opts.devicePositionMs ?? 1000)) return;
      this.lastDevicePosition.set(update.id, now);
    }
    const { codes, ...message } = update;
    const text = JSON.stringify(message);
    for (const c of this.conns) {
      const v = c.viewer;
      if (!v) continue;
      if (v.filter.kind && !v.filter.kind.includes(update.kind as never)) continue;
      if (update.lon !== null && update.lat !== null && !inBbox(v.filter.bbox, { lon: update.lon, lat: update.lat })) continue;
      if (!scopeHolds(v, codes)) continue;
      this.sendText(c, text);
    }
  }

  /**
   * Positions of moving trucks from a batch of newly stored device events (the ingest sink's
   * accepted events): the newest fix per truck, throttled per device by `publishDevice`.
   */
  publishPositions(events: readonly DeviceEvent[]): void {
    if (!this.conns.size) return;
    const newest = new Map<string, DeviceEvent>();
    for (const e of events) {
      if (e.kind !== 'waste-truck') continue;
      const seen = newest.get(e.deviceId);
      if (!seen || seen.ts < e.ts) newest.set(e.deviceId, e);
    }
    for (const e of newest.values()) {
      const { lon, lat } = e.position;
      this.publishDevice({ type: 'device', id: e.deviceId, kind: e.kind, lon, lat, at: new Date(e.ts).toISOString(), codes: this.codesAt(lon, lat) });
    }
  }

  private codesAt(lon: number | null, lat: number | null): (string | null)[] {
    return lon === null || lat === null || !this.opts.locate ? [] : this.opts.locate(lon, lat);
  }

  /** Sends online/offline changes since the last check (the first check only learns the states). */
  private async checkDeviceHealth(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ id: string; kind: string; last_seen_at: Date | null; lon: number | null; lat: number | null; online: boolean }>(sql.deviceHealth, [
      this.opts.offlineAfterS ?? 300,
    ]);
    const first = this.deviceOnline === undefined;
    const before = this.deviceOnline ?? new Map<string, boolean>();
    this.deviceOnline = new Map(rows.map((r) => [r.id, r.online]));
    if (first) return;
    for (const r of rows) {
      if ((before.get(r.id) ?? false) === r.online) continue;
      this.publishDevice({ type: 'device-health', id: r.id, kind: r.kind, online: r.online, at: (r.last_seen_at ?? new Date()).toISOString(), lon: r.lon, lat: r.lat, codes: this.codesAt(r.lon, r.lat) });
    }
  }

  private readonly onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== LIVE_PATH) return refuse(socket, 'GW_ROUTE_NOT_FOUND', `No WebSocket endpoint ${path}`);
    const token = bearerToken(req);
    if (!token) return refuse(socket, 'GW_AUTH_REQUIRED', `GET ${LIVE_PATH} needs a logged-in user (Authorization: Bearer <token>, or the subprotocol bearer.<token>)`);
    userForToken(this.opts.pool, token).then(
      (user) => {
        if (!user) return refuse(socket, 'GW_AUTH_INVALID', `Opening ${LIVE_PATH}: the token is unknown, expired or revoked`);
        this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, user, sha256(token)));
      },
      (err: unknown) => {
        this.opts.log.warn({ err }, 'live WebSocket: checking the token failed');
        refuse(socket, 'GW_UNAVAILABLE', `Opening ${LIVE_PATH}: the token cannot be checked now`);
      },
    );
  };

  private accept(ws: WebSocket, socket: Duplex, user: User, tokenHash: string): void {
    const c: Connection = { ws, socket, tokenHash, user, viewer: null, viewerKey: '', sentUpTo: this.cursor, open: true };
    this.conns.add(c);
    ws.on('close', () => {
      c.open = false;
      this.conns.delete(c);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(c, data, isBinary));
    this.send(c, { type: 'hello', seq: this.cursor, user: { username: user.username, role: user.role as Role } });
  }

  private onMessage(c: Connection, data: RawData, isBinary: boolean): void {
    const text = isBinary ? null : rawText(data);
    const parsed = text === null ? { ok: false as const, problems: ['messages are JSON text frames'] } : parseClientMessage(text);
    if (!parsed.ok) return this.send(c, { type: 'error', code: 'GW_LIVE_MESSAGE_INVALID', problems: parsed.problems });
    const m = parsed.message;
    if (m.type === 'ping') return this.send(c, { type: 'pong', seq: this.cursor });
    const { type: _type, since, ...filter } = m;
    c.viewer = { scope: scopeOf(c.user), filter };
    c.viewerKey = JSON.stringify([scopeSqlParams(c.viewer.scope), filter]);
    if (since === undefined) {
      c.sentUpTo = this.cursor;
      return this.send(c, { type: 'subscribed', seq: this.cursor });
    }
    const missed = this.ring.after(since);
    if (missed === null) {
      c.sentUpTo = this.cursor;
      return this.send(c, { type: 'reload', seq: this.cursor, reason: 'too far behind: load the clues again, then resume from seq' });
    }
    for (const e of missed) {
      const diff = diffFor(c.viewer, e.seq, e.prev, e.clue);
      if (diff) this.send(c, diff);
    }
    c.sentUpTo = Math.max(since, this.cursor);
    this.send(c, { type: 'subscribed', seq: c.sentUpTo });
  }

  /** One tail round: settles what it can and fans it out. */
  private async tail(): Promise<void> {
    try {
      const mark = await this.watermark.advance();
      while (this.cursor < mark) {
        const { rows } = await this.opts.pool.query<EventRow>(sql.read, [this.cursor, mark, 500]);
        const prevs = await this.previousClues(rows);
        if (!rows.length) {
          this.cursor = mark;
          break;
        }
        const events = rows.map((r, i): LiveEvent & { step?: ClueDeadlineStep } => ({
          seq: Number(r.id),
          change: r.change,
          prev: prevs[i],
          clue: r.payload.clue,
          step: r.payload.step,
        }));
        this.fanOut(events);
        for (const r of rows) this.latest.set(Number(r.clue_id), r.payload.clue);
        for (const e of events) {
          if (e.change === 'created' || (e.change === 'deadline' && e.step?.kind === 'escalated')) await this.alertWorkers(e);
        }
      }
      this.lastError = undefined;
    } catch (err) {
      this.lastError = (err as Error).message;
      throw err;
    }
  }

  /**
   * The clue as the previous event of the same clue left it, for each row (undefined for a
   * clue's first event): from an earlier row of the page, from the hub's memory, or, for clues
   * it does not remember, from the outbox in one query.
   */
  private async previousClues(rows: readonly EventRow[]): Promise<(ClueView | undefined)[]> {
    const prevs: (ClueView | undefined)[] = [];
    const inPage = new Map<number, ClueView>();
    const unknown: number[] = [];
    rows.forEach((r, i) => {
      const clueId = Number(r.clue_id);
      if (inPage.has(clueId)) prevs[i] = inPage.get(clueId);
      else if (this.latest.has(clueId)) prevs[i] = this.latest.get(clueId);
      else unknown.push(i);
      inPage.set(clueId, r.payload.clue);
    });
    if (unknown.length) {
      const { rows: found } = await this.opts.pool.query<{ id: string | number; prev_clue: ClueView | null }>(sql.previous, [
        unknown.map((i) => rows[i]!.id),
        unknown.map((i) => rows[i]!.clue_id),
      ]);
      const byId = new Map(found.map((f) => [Number(f.id), f.prev_clue ?? undefined]));
      for (const i of unknown) prevs[i] = byId.get(Number(rows[i]!.id));
    }
    return prevs;
  }

  /**
   * Sends a page of settled events to every subscribed connection. Viewers with the same scope
   * and filter share one serialised diff (encoded once), and each socket is corked for the page,
   * so a client that gets many diffs costs one write, not one per diff (per-diff writes were
   * most of the hub's time at 2,000 events/s). A socket still holding more than
   * `maxBufferedBytes` once its page is written out is cut off (4429).
   */
  private fanOut(events: readonly LiveEvent[]): void {
    const groups = new Map<string, Connection[]>();
    for (const c of this.conns) {
      if (!c.viewer) continue;
      const members = groups.get(c.viewerKey);
      if (members) members.push(c);
      else groups.set(c.viewerKey, [c]);
    }
    const corked = new Set<Connection>();
    for (const e of events) {
      this.ring.push({ seq: e.seq, change: e.change, prev: e.prev, clue: e.clue });
      this.cursor = e.seq;
      for (const members of groups.values()) {
        const diff = diffFor(members[0]!.viewer!, e.seq, e.prev, e.clue);
        if (!diff) continue;
        const data = Buffer.from(JSON.stringify(diff));
        for (const c of members) {
          // A client that resumed has had the events up to its sentUpTo from the ring.
          if (!c.open || c.sentUpTo >= e.seq) continue;
          if (!corked.has(c)) {
            c.socket.cork();
            corked.add(c);
          }
          c.ws.send(data, { binary: false });
        }
      }
    }
    const last = events.at(-1)?.seq ?? this.cursor;
    for (const members of groups.values()) for (const c of members) c.sentUpTo = Math.max(c.sentUpTo, last);
    for (const c of corked) {
      c.socket.uncork();
      this.cutOffIfSlow(c);
    }
  }

  private async alertWorkers(e: LiveEvent): Promise<void> {
    const workers = await workersToAlert(this.opts.pool, e.clue);
    if (!workers.length) return;
    workers.forEach((w, i) => {
      const text = JSON.stringify({ type: 'alert', seq: e.seq, code: e.clue.code, change: e.change, distanceM: w.distanceM, rank: i + 1, of: workers.length, clue: e.clue });
      for (const c of this.conns) if (c.user.id === w.userId) this.sendText(c, text);
    });
  }

  /** Closes connections whose token no longer holds; picks up changed scopes. */
  private async checkTokens(): Promise<void> {
    // Only the connections open when the query was sent: one that opened meanwhile is not in its answer.
    const conns = [...this.conns];
    if (!conns.length) return;
    const hashes = [...new Set(conns.map((c) => c.tokenHash))];
    const { rows } = await this.opts.pool.query<{ token_hash: string; id: string | number; username: string; display_name: string; role: Role; scopes: string[]; unit_id: string | null }>(
      sql.tokens,
      [hashes],
    );
    const valid = new Map(rows.map((r) => [r.token_hash, r]));
    for (const c of conns) {
      if (!c.open) continue;
      const r = valid.get(c.tokenHash);
      if (!r) {
        this.close(c, LIVE_CLOSE.unauthorised, 'token revoked or expired');
        continue;
      }
      c.user = { id: Number(r.id), username: r.username, displayName: r.display_name, role: r.role, scopes: r.scopes, unitId: r.unit_id };
      if (c.viewer) {
        c.viewer = { ...c.viewer, scope: scopeOf(c.user) };
        c.viewerKey = JSON.stringify([scopeSqlParams(c.viewer.scope), c.viewer.filter]);
      }
    }
  }

  /** The header figures, one scoped query per distinct scope. */
  private async pushFigures(): Promise<void> {
    const total = (await ingestReceived.get()).values.reduce((s, v) => s + v.value, 0);
    const now = Date.now();
    if (now > this.received.at) this.received = { total, at: now, perSecond: Math.max(0, (total - this.received.total) / ((now - this.received.at) / 1000)) };
    const byScope = new Map<string, Connection[]>();
    for (const c of this.conns) {
      const key = JSON.stringify(scopeSqlParams(scopeOf(c.user)));
      byScope.set(key, [...(byScope.get(key) ?? []), c]);
    }
    for (const [key, conns] of byScope) {
      const { rows } = await this.opts.pool.query<{ clues_today: number; overdue: number; closed_today: number; closed_on_time: number }>(sql.figures, JSON.parse(key));
      const f = rows[0]!;
      const text = JSON.stringify({
        type: 'figures',
        seq: this.cursor,
        cluesToday: f.clues_today,
        onTimeRate: f.closed_today ? f.closed_on_time / f.closed_today : null,
        overdue: f.overdue,
        eventsPerSecond: Math.round(this.received.perSecond * 10) / 10,
      });
      for (const c of conns) this.sendText(c, text);
    }
  }

  private send(c: Connection, message: Record<string, unknown>): void {
    this.sendText(c, JSON.stringify(message));
  }

  /** Sends, unless the socket is already too far behind: then it is closed, asked to resync. */
  private sendText(c: Connection, text: string): void {
    if (!c.open) return;
    c.ws.send(text);
    this.cutOffIfSlow(c);
  }

  private cutOffIfSlow(c: Connection): void {
    if (c.ws.bufferedAmount > (this.opts.maxBufferedBytes ?? 1 << 20)) this.close(c, LIVE_CLOSE.slow, 'too slow: reconnect and resume');
  }

  private close(c: Connection, code: number, reason: string): void {
    if (!c.open) return;
    c.open = false;
    this.conns.delete(c);
    // The close frame queues behind what is buffered; ws destroys the socket if the client has
    // not answered it within its close timeout (30 s), so a stuck reader costs nothing for long.
    c.ws.close(code, reason);
  }
}

/** Whether the viewer's scope holds a place given by its codes (whole city holds everything). */
function scopeHolds(v: Viewer, codes: readonly (string | null)[]): boolean {
  return v.scope.wholeCity || codes.some((code) => code !== null && v.scope.codes.includes(code));
}

/** The bearer token of an upgrade request: the Authorization header, or a `bearer.<token>` subprotocol. */
function bearerToken(req: http.IncomingMessage): string | null {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (m) return m[1]!;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const p = protocols.find((x) => x.startsWith('bearer.'));
  return p ? p.slice('bearer.'.length) || null : null;
}

function rawText(data: RawData): string {
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Answers an upgrade request with an HTTP error in the API's error format, and hangs up. */
function refuse(socket: Duplex, code: ErrorCode, message: string): void {
  const e = new GwError(code, message);
  const body = JSON.stringify(e.toJSON());
  const reason = http.STATUS_CODES[e.status] ?? 'Error';
  socket.end(`HTTP/1.1 ${e.status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
