import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startComponents, type Component } from '../core/components.js';
import type { Config } from '../core/config.js';
import { every, type Periodic } from '../core/every.js';
import { HealthRegistry } from '../core/health.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { DEMO_SEED } from '../geo/demo/generate.js';
import { seedDemoCity } from '../geo/demo/seed.js';
import { demoTowns } from '../geo/demo/towns.js';
import { LocatorHolder } from '../geo/locator/locator-holder.js';
import { seedDemoDevices, type DemoDevice } from '../ingest/demo-devices.js';
import type { DeviceEvent } from '../ingest/device-event.js';
import { DeviceRegistry } from '../ingest/device-registry.js';
import { BatchingIngestSink } from '../ingest/ingest-sink.js';
import type { Transport } from '../ingest/transport.js';
import { brokerTransports } from '../ingest/transports/broker-transports.js';
import { HttpTransport } from '../ingest/transports/http.js';
import { EmbeddedMqttTransport } from '../ingest/transports/mqtt-broker.js';
import { API_DOC_PARTS, apiRoutes } from './api-routes.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { CatalogueStore } from './catalogue/catalogue-store.js';
import { timelineDigestsComponent } from './clues/timeline-digests.js';
import { seedDemoCatalogue } from './catalogue/demo/seed-catalogue.js';
import { registerDemoFleet, startDemoFleet } from './demo/demo-fleet.js';
import { seedDemoUsers, type DemoCredential } from './demo/demo-users.js';
import { cameraEvidenceComponent } from './evidence/camera-evidence.js';
import { evidenceChecker } from './evidence/evidence-checker.js';
import { createApp } from './http/app.js';
import { chineseDaysSeed, seedCalendar } from './lifecycle/calendar-store.js';
import { deadlineComponent } from './lifecycle/deadline-scheduler.js';
import { clueSubscribers } from './outbound/mqtt-subscribers.js';
import { outboundComponent } from './outbound/outbound-component.js';
import { LiveHub } from './live/live-hub.js';
import { placeCodes } from './live/live-diff.js';
import { purgeWorkerPositions } from './live/worker-duty.js';
import { CluePipeline } from './pipeline/clue-pipeline.js';
import { builtWebRoot } from './web/web-ui.js';

/** How often the deadline scheduler looks for due steps (one index scan when nothing is due). */
const DEADLINE_POLL_MS = 5_000;

/** A running Gridwatch: what main() and end-to-end tests hold on to. */
export interface Gridwatch {
  config: Config;
  log: Logger;
  db: Database;
  health: HealthRegistry;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Demo logins with their units (demo mode only), for the banner and tests. */
  demoCredentials: DemoCredential[];
  /** Device registry and the sink every transport submits to. */
  ingest: { devices: DeviceRegistry; sink: BatchingIngestSink };
  /** Demo device credentials (DATA_DIR/demo-devices.json), when demo mode seeded them. */
  demoDevices: DemoDevice[];
  /** The names of the running components, in start-up order. */
  components: string[];
  /** Graceful shutdown: stop intake, drain, close the pool. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts Gridwatch from one ordered list of components (core/components.ts): each starts after
 * the ones it needs, reports health under its name, and stops in reverse order, so intake stops
 * before the sink drains, the sink drains before the pipeline's timers stop, and the database
 * closes last. A part that fails to start stops what started before it.
 */
export async function startGridwatch(config: Config, log: Logger = createLogger(config.LOG_LEVEL)): Promise<Gridwatch> {
  const health = new HealthRegistry();
  // Filled in as the list starts; a component reads only what an earlier one set.
  let db!: Database;
  let demoCredentials: Gridwatch['demoCredentials'] = [];
  let demoDevices: DemoDevice[] = [];
  let catalogueWatch: () => Promise<void> = async () => undefined;
  let pipelineTimers: (() => Promise<void>)[] = [];
  let sink!: BatchingIngestSink;
  let server!: http.Server;
  let throttleSweep: Periodic | undefined;
  let sims: Awaited<ReturnType<typeof startDemoFleet>> | undefined;
  let throttle!: LoginThrottle;
  let live: LiveHub | undefined;
  let positionPurge: Periodic | undefined;

  const locator = new LocatorHolder({ toleranceM: config.LOCATOR_TOLERANCE_M });
  let registry!: DeviceRegistry;
  let catalogue!: CatalogueStore;
  let pipeline!: CluePipeline;
  let httpTransport!: HttpTransport;
  let transports: { mqtt: Transport; kafka: Transport | null } | undefined;
  const running = (): Transport[] => (transports ? [transports.mqtt, ...(transports.kafka ? [transports.kafka] : [])] : []);
  const broker = () => running().find((t): t is EmbeddedMqttTransport => t instanceof EmbeddedMqttTransport);

  const components: Component[] = [
    {
      name: 'db',
      async start() {
        db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, log });
        try {
          const applied = await migrate(db.pool);
          if (applied.length) log.info({ applied }, 'migrations applied');
        } catch (err) {
          await db.close();
          throw err;
        }
      },
      stop: () => db.close(),
      async health() {
        const t0 = performance.now();
        await db.pool.query('SELECT 1');
        return { status: 'ok', detail: { backend: db.backend, latencyMs: Math.round((performance.now() - t0) * 10) / 10 } };
      },
    },
    {
      // The demo city goes through the import pipeline before anything reads boundaries.
      name: 'demo-seed',
      async start() {
        if (!config.demo) return;
        await seedDemoCity(db.pool, log.child({ stage: 'geo' }));
      },
    },
    {
      // The in-memory locator over the active layers; geo imports reload it.
      name: 'locator',
      start: async () => void (await locator.reload(db.pool)),
    },
    {
      // The catalogue and units in memory, refreshed when another replica imports.
      name: 'catalogue',
      async start() {
        catalogue = new CatalogueStore(db.pool, log.child({ stage: 'catalogue' }));
        await catalogue.load();
        if (config.demo) {
          await seedDemoCatalogue(catalogue, demoTowns(), DEMO_SEED);
          // Demo users are bound to the demo units, so they come after the catalogue.
          const { directory, history } = catalogue.current();
          demoCredentials = await seedDemoUsers(db.pool, config.DATA_DIR, { units: directory, history, locate: (lon, lat) => locator.current().locate(lon, lat) });
        }
        catalogueWatch = catalogue.watch(30_000);
      },
      stop: () => catalogueWatch(),
    },
    {
      // The working-day calendar: years the chinese-days package knows and the table does not list yet.
      name: 'calendar',
      async start() {
        const added = await seedCalendar(db.pool, chineseDaysSeed());
        if (added.length) log.info({ years: added }, 'working-day calendar seeded from chinese-days');
      },
    },
    {
      // The pipeline the sink hands stored events to. Stored events a crash or a failed batch
      // left undetected go through before any new input; later failures go to the 30 s sweep.
      name: 'pipeline',
      async start() {
        pipeline = new CluePipeline({
          pool: db.pool,
          locator: { locate: (...p) => locator.current().locate(...p) },
          catalogue,
          log: log.child({ stage: 'clues' }),
          // The demo dispatches confidently routed urgent clues at once: its town worker can accept them.
          autoDispatch: config.demo ? ['urgent', 'immediate'] : [],
        });
        pipelineTimers.push(pipeline.startTimers(60_000));
        await pipeline
          .sweep({ graceMs: 0 })
          .catch((err) => log.error({ err }, 'start-up catch-up of unprocessed device events failed; the periodic sweep tries again'));
        pipelineTimers.push(pipeline.startRecovery(30_000));
      },
      async stop() {
        for (const stop of pipelineTimers.reverse()) await stop();
        pipelineTimers = [];
      },
    },
    // Deadlines (预警 → 超期 → 升级) from the database: catches up at start, then polls.
    deadlineComponent(() => ({ pool: db.pool, catalogue: () => catalogue.current(), log: log.child({ stage: 'deadlines' }), warningShare: config.DEADLINE_WARNING_SHARE }), DEADLINE_POLL_MS),
    {
      name: 'ingest',
      async start() {
        registry = new DeviceRegistry(db.pool);
        // Moving trucks go to the live map (once the hub runs), then events to the clue pipeline.
        const onAccepted = (events: DeviceEvent[]) => {
          live?.publishPositions(events);
          return pipeline.handle(events);
        };
        sink = new BatchingIngestSink({ pool: db.pool, devices: registry, dataDir: config.DATA_DIR, log: log.child({ stage: 'ingest' }), onAccepted }, { maxBatch: config.INGEST_MAX_BATCH });
        httpTransport = new HttpTransport(registry);
        if (config.demo) demoDevices = await seedDemoDevices(registry, config.DATA_DIR);
        if (demoDevices.length) await registerDemoFleet(registry, demoDevices);
      },
      stop: () => sink.close(),
      health: () => sink.health(),
    },
    {
      name: 'http-ingest',
      start: () => httpTransport.start(sink),
      stop: () => httpTransport.stop(),
      health: () => httpTransport.health(),
    },
    {
      name: 'mqtt',
      async start() {
        transports = brokerTransports(config, { authenticator: registry, log, subscribers: clueSubscribers(db.pool) });
        await transports.mqtt.start(sink);
      },
      stop: () => transports!.mqtt.stop(),
      health: () => transports!.mqtt.health(),
    },
    {
      name: 'kafka',
      start: async () => void (await transports!.kafka?.start(sink)),
      stop: async () => void (await transports!.kafka?.stop()),
      health: () => transports!.kafka?.health() ?? { status: 'off', detail: 'set KAFKA_BROKERS, or KAFKA_MOCK=1 for an in-process mock cluster' },
    },
    // Camera images the pipeline put on clue timelines become evidence (copies, watermark, hashes).
    cameraEvidenceComponent({ pool: () => db.pool, dataDir: config.DATA_DIR, log: log.child({ stage: 'evidence' }) }),
    // Clue events to MQTT clues/{unitId}/events, Kafka clue-events and webhooks, from the outbox.
    outboundComponent({
      pool: () => db.pool,
      log: log.child({ stage: 'outbound' }),
      transports: running,
      webhooks: { timeoutMs: config.WEBHOOK_TIMEOUT_MS, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS },
    }),
    // Seals each completed local day of the clue timelines in timeline_digests (catch-up at start).
    timelineDigestsComponent({ pool: () => db.pool, log: log.child({ stage: 'record' }) }),
    {
      // Failed-login counters shared by replicas in auth_throttle; old rows swept.
      name: 'login-throttle',
      async start() {
        throttle = new LoginThrottle(db.pool);
        throttleSweep = every('auth-throttle-sweep', 10 * 60_000, () => throttle.removeExpired(), log);
      },
      stop: async () => throttleSweep?.stop(),
    },
    {
      // The API (every route declared with defineRoute), the device intake and the web app.
      name: 'http',
      async start() {
        const routes = apiRoutes({
          pool: db.pool,
          warningShare: config.DEADLINE_WARNING_SHARE,
          log,
          devices: registry,
          sink,
          locator,
          onGeoImported: async () => void (await locator.reload(db.pool)),
          mapStyleUrl: config.MAP_STYLE_URL,
          catalogue,
          loginThrottle: throttle,
          // A logout closes the MQTT reader connections opened with that token at once.
          // Evidence files (uploads and camera images) are named by their SHA-256 under DATA_DIR/evidence.
          checkEvidence: evidenceChecker(config.DATA_DIR),
          dataDir: config.DATA_DIR,
          onTokenRevoked: (token) => {
            broker()?.revokeReaderToken(token);
            live?.revokeToken(token);
          },
        });
        const app = createApp({
          pool: db.pool,
          log,
          health,
          intakeRouters: [httpTransport.router],
          routes,
          ...API_DOC_PARTS,
          checkResponses: config.CHECK_RESPONSES,
          webRoot: builtWebRoot(log),
          mapStyleUrl: config.MAP_STYLE_URL,
          opsToken: config.OPS_TOKEN,
        });
        server = http.createServer(app);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.PORT, config.HOST, () => resolve());
        });
      },
      stop: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
        }),
    },
    {
      // The live WebSocket (GET /api/v1/live) on the HTTP server: clue diffs from the outbox,
      // worker alerts, header figures. After 'http', so it stops (closing its sockets) first.
      name: 'live',
      async start() {
        live = new LiveHub({
          pool: db.pool,
          log: log.child({ stage: 'live' }),
          locate: (lon, lat) => placeCodes(locator.current().locate(lon, lat)),
        });
        await live.start();
        live.attach(server);
      },
      stop: async () => live?.stop(),
      health: () => live?.health() ?? { status: 'starting' },
    },
    {
      // Grid workers' phone positions: kept for the duty period plus POSITION_RETENTION_H.
      name: 'position-retention',
      async start() {
        const retentionMs = config.POSITION_RETENTION_H * 3600_000;
        positionPurge = every('worker-position-purge', 10 * 60_000, async () => void (await purgeWorkerPositions(db.pool, retentionMs)), log);
      },
      stop: async () => positionPurge?.stop(),
    },
    {
      // The demo fleet publishes over the embedded broker with each device's own credentials,
      // as real devices would; last in the list, so it stops first.
      name: 'simulators',
      async start() {
        const port = broker()?.listeningPort;
        if (!config.simulators || !demoDevices.length || !port) return;
        sims = await startDemoFleet({ demoDevices, mqttUrl: `mqtt://127.0.0.1:${port}`, rate: config.DEMO_RATE, log: log.child({ stage: 'simulators' }) });
      },
      stop: async () => sims?.stop(),
    },
  ];

  const started = await startComponents(components, health, log);
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  return {
    config,
    log,
    db,
    health,
    url: `http://${host}:${port}`,
    demoCredentials,
    ingest: { devices: registry, sink },
    demoDevices,
    components: started.names,
    close: () => started.stop(),
  };
}
