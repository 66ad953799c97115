import { useEffect, useRef } from 'preact/hooks';
import type { Clue } from '../clue.js';
import { token } from '../session.js';

/**
 * The one WebSocket client for `/api/v1/live` (protocol: docs/LIVE.md), shared by every view.
 * It connects on first use, re-subscribes after each reconnect with the last `seq` it saw
 * (`since`), so the server replays what was missed with no gap and no duplicate, and backs off
 * between attempts. When the server answers `reload` (we were away too long) the listeners of
 * `reload` load their data again; the stream goes on from the `reload`'s seq.
 */

/** The messages the server sends, by type. */
export interface LiveMessages {
  opened: { seq: string; code: string; fields: Clue };
  changed: { seq: string; code: string; fields: Partial<Clue> };
  closed: { seq: string; code: string; reason: 'ended' | 'left-scope'; status: string };
  reload: { seq: string; reason: string };
  alert: { seq: string; code: string; change: string; distanceM: number | null; rank: number; of: number; clue: Clue };
  device: { id: string; kind: string; lon: number; lat: number; at: string };
  'device-health': { id: string; kind: string; online: boolean; at: string; lon: number | null; lat: number | null };
  figures: { seq: string; cluesToday: number; onTimeRate: number | null; overdue: number; eventsPerSecond: number };
  /** Not a server message: the connection opened (true) or dropped (false). */
  connection: { up: boolean };
}
/** A server message type. */
export type LiveType = keyof LiveMessages;

/** What a client may narrow the stream to (`subscribe`). */
export interface LiveFilter {
  bbox?: [number, number, number, number];
  status?: string[];
  kind?: string[];
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000];

class LiveClient {
  private socket: WebSocket | null = null;
  private readonly listeners = new Map<LiveType, Set<(msg: never) => void>>();
  private filter: LiveFilter = {};
  private since: string | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  /** Calls `cb` for each message of `type`; answers the function that stops it. */
  on<T extends LiveType>(type: T, cb: (msg: LiveMessages[T]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(cb as (msg: never) => void);
    this.connect();
    return () => void set.delete(cb as (msg: never) => void);
  }

  /** Narrows (or widens) the clue stream; listeners should reload their list, as the view changed. */
  subscribe(filter: LiveFilter): void {
    this.filter = filter;
    this.connect();
    this.send({ type: 'subscribe', ...filter });
  }

  /** Closes the socket for good (logout). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = null;
  }

  private connect(): void {
    const bearer = token();
    if (this.socket || !bearer) return;
    this.stopped = false;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`;
    const ws = new WebSocket(url, ['gridwatch.live', `bearer.${bearer}`]);
    this.socket = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.send({ type: 'subscribe', ...this.filter, ...(this.since ? { since: this.since } : {}) });
      this.emit('connection', { up: true });
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { type: string; seq?: string };
      if (msg.seq) this.since = msg.seq;
      this.emit(msg.type as LiveType, msg as never);
    };
    ws.onclose = (ev) => {
      this.socket = null;
      this.emit('connection', { up: false });
      // 4401: the session ended; the API's next 401 sends the user to the login page.
      if (this.stopped || ev.code === 4401) return;
      const wait = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)]!;
      this.timer = setTimeout(() => this.connect(), wait);
    };
  }

  private send(msg: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(msg));
  }

  private emit<T extends LiveType>(type: T, msg: LiveMessages[T]): void {
    for (const cb of this.listeners.get(type) ?? []) (cb as (m: LiveMessages[T]) => void)(msg);
  }
}

/** The shared client. */
export const live = new LiveClient();

/** A hook: calls the latest `cb` for each message of `type` while the component is mounted. */
export function useLive<T extends LiveType>(type: T, cb: (msg: LiveMessages[T]) => void): void {
  const ref = useRef(cb);
  ref.current = cb;
  useEffect(() => live.on(type, (msg) => ref.current(msg)), [type]);
}
