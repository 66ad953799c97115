import WebSocket from 'ws';

/** A live WebSocket client for tests: keeps every message and waits for the ones it needs. */
export class LiveClient {
  readonly messages: any[] = [];
  closed?: { code: number; reason: string };
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
  }

  /** Connects with the token in the Authorization header, or as the `bearer.<token>` subprotocol. */
  static async open(baseUrl: string, token: string, how: 'header' | 'protocol' = 'header'): Promise<LiveClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/api/v1/live`;
    const ws =
      how === 'header'
        ? new WebSocket(url, ['gridwatch.live'], { headers: { authorization: `Bearer ${token}` } })
        : new WebSocket(url, ['gridwatch.live', `bearer.${token}`]);
    const client = new LiveClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.next((m) => m.type === 'hello');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Subscribes and waits for the answer (`subscribed` or `reload`). */
  async subscribe(body: Record<string, unknown> = {}): Promise<any> {
    const from = this.messages.length;
    this.send({ type: 'subscribe', ...body });
    return this.next((m) => m.type === 'subscribed' || m.type === 'reload', from);
  }

  /** The first message from index `from` on that matches, once it has come. */
  async next(match: (m: any) => boolean, from = 0): Promise<any> {
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits until the socket closes; returns the close code and reason. */
  async whenClosed(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.closed;
  }

  /**
   * A ping answered: every message the server sent before it has arrived. The way to check
   * that something was NOT sent, without waiting for time to pass.
   */
  async flush(): Promise<void> {
    const from = this.messages.length;
    this.send({ type: 'ping' });
    await this.next((m) => m.type === 'pong', from);
  }

  /** The clue diffs received (opened, changed, closed). */
  diffs(): any[] {
    return this.messages.filter((m) => ['opened', 'changed', 'closed'].includes(m.type));
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
