/**
 * A real network fault between a pg pool and the test database: a TCP proxy that can drop every
 * connection (optionally exactly at a COMMIT) and refuse new ones until restored.
 */
import net from 'node:net';
import pg from 'pg';

/** The wire message of a simple-protocol COMMIT ('Q', length, "COMMIT\0"), not just the word (SQL comments hold it too). */
const COMMIT = Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 11]), Buffer.from('COMMIT\0')]);

/** A TCP proxy in front of the database that can drop every connection and refuse new ones. */
export class CuttableProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  /** While cut, the server keeps its port (re-binding it can fail with EADDRINUSE) and drops every new connection. */
  private refusing = false;
  port = 0;
  /** When set, the next client chunk holding COMMIT cuts the link, after or before forwarding it. */
  cutAtCommit: 'after' | 'before' | undefined;
  onCut: (() => void) | undefined;

  constructor(private readonly target: net.NetConnectOpts) {}

  /** Starts listening, or after a cut, accepts connections again on the same port. */
  async listen(): Promise<void> {
    if (this.server) {
      this.refusing = false;
      return;
    }
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.target);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      let swallowReply = false;
      const cutNow = () => {
        this.cut();
        this.onCut?.();
      };
      client.on('data', (chunk: Buffer) => {
        const mode = this.cutAtCommit;
        if (mode && chunk.includes(COMMIT)) {
          this.cutAtCommit = undefined;
          if (mode === 'before') return cutNow();
          // 'after': the server commits, and its reply is dropped with the connection, so the
          // client cannot know whether the batch was stored.
          swallowReply = true;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => (swallowReply ? cutNow() : client.write(chunk)));
      // Either side closing ends the other gracefully, so what the server sent last (a FATAL
      // from pg_terminate_backend) still reaches the client; `cut` is the abrupt loss.
      const close = () => {
        client.end();
        upstream.end();
        this.pairs.delete(pair);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Drops every connection; new ones are dropped as they come until `listen()`. */
  cut(): void {
    this.refusing = true;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.end();
    }
    this.pairs.clear();
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Where the test database listens (unix socket for the embedded one), from its connection string. */
function targetOf(connectionString: string): { target: net.NetConnectOpts; user: string; database: string; password: string } {
  const u = new URL(connectionString);
  const host = u.searchParams.get('host') ?? u.hostname;
  const port = Number(u.searchParams.get('port') ?? (u.port || 5432));
  const target = host.startsWith('/') ? { path: `${host}/.s.PGSQL.${port}` } : { host, port };
  return { target, user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) };
}

/** A proxy in front of the database at `connectionString`, and a connection string that goes through it. */
export async function proxiedUrl(connectionString: string): Promise<{ proxy: CuttableProxy; url: string }> {
  const { target, user, password, database } = targetOf(connectionString);
  const proxy = new CuttableProxy(target);
  await proxy.listen();
  const url = new URL(`postgres://127.0.0.1:${proxy.port}/`);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return { proxy, url: url.href };
}

/** A proxy in front of the database at `connectionString` and a one-connection pool through it. */
export async function proxiedPool(connectionString: string, applicationName: string): Promise<{ proxy: CuttableProxy; pool: pg.Pool }> {
  const { proxy, url } = await proxiedUrl(connectionString);
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: applicationName });
  pool.on('error', () => undefined); // idle connections die with the proxy; users see it on their next query
  return { proxy, pool };
}
