import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { createApp } from './http/app.js';
import { HealthRegistry } from '../core/health.js';
import { seedDemoUsers } from './demo/demo-users.js';
import { startDemoFleet } from './demo/demo-fleet.js';
import { EmbeddedMqttTransport } from '../ingest/transports/mqtt-broker.js';
import { DeviceRegistry } from '../ingest/device-registry.js';
import { BatchingIngestSink } from '../ingest/ingest-sink.js';
import { HttpTransport } from '../ingest/transports/http.js';
import { seedDemoDevices, type DemoDevice } from '../ingest/demo-devices.js';
import { seedDemoCity } from '../geo/demo/seed.js';
import { API_DOC_PARTS, apiRoutes } from './api-routes.js';
import { startBrokerTransports } from '../ingest/transports/mqtt-kafka-start.js';
import { LocatorHolder } from '../geo/locator/locator-holder.js';
import { demoTowns } from '../geo/demo/towns.js';
import { DEMO_SEED } from '../geo/demo/generate.js';
import { CatalogueStore } from './catalogue/catalogue-store.js';
import { seedDemoCatalogue } from './catalogue/demo/seed-catalogue.js';
import { catalogueAdminRoutes } from './catalogue/catalogue-admin.routes.js';
import { CluePipeline } from './pipeline/clue-pipeline.js';
import { clueRoutes } from './clues/clue.routes.js';
import { clueSubscribers } from './outbound/mqtt-subscribers.js';
import { startOutbound } from './outbound/start-outbound.js';
import { catalogueReadRoutes } from './catalogue/catalogue.routes.js';
import { builtWebRoot } from './web/web-ui.js';

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
    // The in-memory locator over the active layers; geo imports reload it (onImported below).
    const locator = new LocatorHolder({ toleranceM: config.LOCATOR_TOLERANCE_M });
    await locator.reload(db.pool);

    // ── detection, routing and clues (issue 5): the catalogue and units in memory (seeded for the
    // demo city's towns in demo mode), and the pipeline the ingest sink hands stored events to.
    // Their stops are pushed before the sink's, so they run after the sink has drained. ──
    const catalogue = new CatalogueStore(db.pool, log.child({ stage: 'catalogue' }));
    await catalogue.load();
    if (config.demo) await seedDemoCatalogue(catalogue, demoTowns(), DEMO_SEED);
    stops.push(catalogue.watch(30_000));
    const pipeline = new CluePipeline({ pool: db.pool, locator: { locate: (...p) => locator.current().locate(...p) }, catalogue, log: log.child({ stage: 'clues' }) });
    stops.push(pipeline.startTimers(60_000));
    // Stored events a crash or a failed batch left undetected go through before any new input
    // (intake starts below); events that fail later are taken up by the 30 s sweep.
    await pipeline
      .sweep({ graceMs: 0 })
      .catch((err) => log.error({ err }, 'start-up catch-up of unprocessed device events failed; the periodic sweep tries again'));
    stops.push(pipeline.startRecovery(30_000));
    const clueRouters = [catalogueAdminRoutes(catalogue), clueRoutes(db.pool, () => catalogue.current().directory)];
    // ── end clues ──

    // ── ingest (issue 4): registry, sink, HTTP transport. Stops run in reverse, so every
    // transport pushed after the sink stops taking input before the sink drains. ──
    const devices = new DeviceRegistry(db.pool);
    const sink = new BatchingIngestSink({ pool: db.pool, devices, dataDir: config.DATA_DIR, log: log.child({ stage: 'ingest' }), onAccepted: pipeline.handle });
    stops.push(() => sink.close());
    health.register('ingest', () => sink.health());
    const httpTransport = new HttpTransport(devices);
    await httpTransport.start(sink);
    stops.push(() => httpTransport.stop());
    health.register('http-ingest', () => httpTransport.health());
    const demoDevices = config.demo ? await seedDemoDevices(devices, config.DATA_DIR) : [];
    const intakeRouters = [httpTransport.router];
    const routers = [...clueRouters];
    // ── end ingest ──

    // ── MQTT and Kafka transports (issue 4): started after the sink, so they stop before it drains. ──
    const transports = await startBrokerTransports(config, { sink, authenticator: devices, health, stops, log, subscribers: clueSubscribers(db.pool) });
    // ── end MQTT and Kafka ──

    // ── outbound clue events (issue 5): the clue outbox delivered to MQTT clues/{unitId}/events,
    // Kafka clue-events and webhooks on its own loop; stops before the transports it publishes to. ──
    await startOutbound({ pool: db.pool, log: log.child({ stage: 'outbound' }), transports, health, stops });
    routers.push(catalogueReadRoutes(db.pool, catalogue));
    // ── end outbound ──

    // ── HTTP: the declared routes (devices, dead letters, geo, webhooks, map configuration), the
    // stage routers, and the live map (web/dist) at /. ──
    const routes = apiRoutes({
      pool: db.pool,
      log,
      devices,
      sink,
      locator,
      onGeoImported: async () => void (await locator.reload(db.pool)),
      mapStyleUrl: config.MAP_STYLE_URL,
    });
    const app = createApp({ pool: db.pool, log, health, intakeRouters, routers, routes, ...API_DOC_PARTS, checkResponses: config.CHECK_RESPONSES, webRoot: builtWebRoot(log) });
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
    // ── demo simulators: the demo fleet publishes over the embedded broker with each device's own
    // credentials, as real devices would; pushed last, so they stop first. ──
    const broker = transports.find((t): t is EmbeddedMqttTransport => t instanceof EmbeddedMqttTransport);
    if (config.simulators && demoDevices.length && broker?.listeningPort) {
      const mqttUrl = `mqtt://127.0.0.1:${broker.listeningPort}`;
      const sims = await startDemoFleet({ devices, demoDevices, mqttUrl, log: log.child({ stage: 'simulators' }) });
      stops.push(() => sims.stop());
    }
    // ── end simulators ──
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
