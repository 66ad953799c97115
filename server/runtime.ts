import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { createApp } from './app.js';
import { HealthRegistry } from './health.js';
import { seedDemoUsers } from './demo/demo-users.js';
import { DeviceRegistry } from '../ingest/device-registry.js';
import { BatchingIngestSink } from '../ingest/ingest-sink.js';
import { HttpTransport } from '../ingest/transports/http.js';
import { seedDemoDevices, type DemoDevice } from '../ingest/demo-devices.js';
import { deviceRoutes } from './devices/routes.js';
import { deadLetterRoutes } from './dead-letters/routes.js';
import { seedDemoCity } from '../geo/demo/seed.js';
import { geoRoutes } from './geo/routes.js';
import { startBrokerTransports } from '../ingest/transports/mqtt-kafka-start.js';

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
  /** Device registry and the sink every transport submits to. */
  ingest: { devices: DeviceRegistry; sink: BatchingIngestSink };
  /** Demo device credentials (DATA_DIR/demo-devices.json), when demo mode seeded them. */
  demoDevices: DemoDevice[];
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
    // geo (issue 3): the demo city goes through the import pipeline before anything reads boundaries.
    if (config.demo) await seedDemoCity(db.pool, log.child({ stage: 'geo' }));

    // ── ingest (issue 4): registry, sink, HTTP transport. Stops run in reverse, so every
    // transport pushed after the sink stops taking input before the sink drains. ──
    const devices = new DeviceRegistry(db.pool);
    const sink = new BatchingIngestSink({ pool: db.pool, devices, dataDir: config.DATA_DIR, log: log.child({ stage: 'ingest' }) });
    stops.push(() => sink.close());
    health.register('ingest', () => sink.health());
    const httpTransport = new HttpTransport(devices);
    await httpTransport.start(sink);
    stops.push(() => httpTransport.stop());
    health.register('http-ingest', () => httpTransport.health());
    const demoDevices = config.demo ? await seedDemoDevices(devices, config.DATA_DIR) : [];
    const intakeRouters = [httpTransport.router];
    const routers = [deviceRoutes(devices), deadLetterRoutes(db.pool, sink)];
    // The locator holder joins here as onImported: () => locator.reload(db.pool).
    routers.push(geoRoutes({ pool: db.pool, log }));
    // ── end ingest ──

    // ── MQTT and Kafka transports (issue 4): started after the sink, so they stop before it drains. ──
    await startBrokerTransports(config, { sink, authenticator: devices, health, stops, log });
    // ── end MQTT and Kafka ──

    const app = createApp({ pool: db.pool, log, health, intakeRouters, routers });
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
      ingest: { devices, sink },
      demoDevices,
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
