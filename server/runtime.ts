import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { createApp } from './app.js';
import { HealthRegistry } from './health.js';
import { seedDemoUsers } from './demo/demo-users.js';

/** A running Gridwatch: what main() and end-to-end tests hold on to. */
export interface Gridwatch {
  config: Config;
  log: Logger;
  db: Database;
  health: HealthRegistry;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Demo logins, when demo mode seeded them. */
  demoCredentials: { username: string; password: string; role: string }[];
  /** Graceful shutdown: stop intake, drain, close the pool. Idempotent. */
  close(): Promise<void>;
}

/** Starts every component in pipeline order and the HTTP server. */
export async function startGridwatch(config: Config, log: Logger = createLogger(config.LOG_LEVEL)): Promise<Gridwatch> {
  const health = new HealthRegistry();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, log });
  const stops: (() => Promise<void>)[] = [];
  try {
    const applied = await migrate(db.pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
    health.register('db', async () => {
      const t0 = performance.now();
      await db.pool.query('SELECT 1');
      return { status: 'ok', detail: { backend: db.backend, latencyMs: Math.round((performance.now() - t0) * 10) / 10 } };
    });

    const demoCredentials = config.demo ? await seedDemoUsers(db.pool, config.DATA_DIR) : [];

    const app = createApp({ pool: db.pool, log, health });
    const server = http.createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => resolve());
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
        }),
    );
    const { port } = server.address() as AddressInfo;
    const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;

    let closing: Promise<void> | undefined;
    return {
      config,
      log,
      db,
      health,
      url: `http://${host}:${port}`,
      demoCredentials,
      close: () =>
        (closing ??= (async () => {
          for (const stop of stops.reverse()) await stop();
          await db.close();
        })()),
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
}
