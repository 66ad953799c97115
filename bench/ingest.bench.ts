/**
 * Ingest benchmark: device events from publish to stored, over MQTT (the embedded aedes
 * broker, PUBACK only after the batch committed) and over Kafka (librdkafka's mock cluster,
 * counted when the sink's submit resolved, i.e. committed), through the real registry and
 * batching sink, on embedded PGlite and, when DATABASE_URL is set, on real PostGIS.
 *
 * Two measures per transport and database: sustained throughput (events/s, as fast as the
 * publishers can go, bounded in count and time) and publish→stored latency (p50/p99) at a
 * fixed 2,000 events/s. Loopback only. Run alone: `npx tsx bench/ingest.bench.ts`.
 * Settings: GW_BENCH_INGEST_EVENTS (events per sustained run, 40k; `--quick` 4k, and 1 s of
 * latency instead of 5), GW_BENCH_INGEST_DEVICES
 * (MQTT connections, one device each, 8), GW_BENCH_INGEST_WINDOW (unacknowledged publishes per
 * connection, 500).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Kafka from 'node-rdkafka';
import mqtt from 'mqtt';
import pg from 'pg';
import { createLogger } from '../core/logger.js';
import { migrate } from '../db/migrate.js';
import { loadSql } from '../db/sql.js';
import { DeviceRegistry } from '../ingest/device-registry.js';
import { BatchingIngestSink } from '../ingest/ingest-sink.js';
import type { IngestOutcome, IngestSink, RawInput } from '../ingest/transport.js';
import { KAFKA_TOPIC, KafkaTransport } from '../ingest/transports/kafka.js';
import { EmbeddedMqttTransport } from '../ingest/transports/mqtt-broker.js';
import { benchDatabase } from './bench-service.js';
import { phase } from './phase-log.js';

const log = createLogger('silent');
/** Removes the bench's own devices and everything they left on a shared real server. */
const CLEAN_SQL = loadSql(new URL('./sql/ingest-clean.sql', import.meta.url));
const QUICK = process.env.GW_BENCH_QUICK === '1';
/** Events per sustained run, and the wall-clock cap on any one phase (bounded either way). */
const SUSTAINED_EVENTS = Number(process.env.GW_BENCH_INGEST_EVENTS ?? (QUICK ? 4_000 : 40_000));
const PHASE_CAP_MS = 120_000;
const LATENCY_RATE = 2_000;
const LATENCY_SECONDS = QUICK ? 1 : 5;
const DEVICES = Number(process.env.GW_BENCH_INGEST_DEVICES ?? 8);
/** Unacknowledged QoS 1 publishes each MQTT client keeps in flight. */
const MQTT_WINDOW = Number(process.env.GW_BENCH_INGEST_WINDOW ?? 500);

interface Backend {
  name: string;
  pool: pg.Pool;
  close(): Promise<void>;
}

interface Row {
  transport: string;
  database: string;
  events: number;
  seconds: number;
  rate: number;
  p50?: number;
  p99?: number;
  note?: string;
}

async function embeddedBackend(): Promise<Backend> {
  const db = await benchDatabase('gw-bench-ingest-');
  const pool = new pg.Pool({ connectionString: db.server.connectionString, max: 1 });
  return {
    name: 'embedded PGlite',
    pool,
    async close() {
      await pool.end();
      await db.close();
    },
  };
}

async function postgresBackend(url: string): Promise<Backend> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await migrate(pool);
  const { rows } = await pool.query<{ v: string }>('SELECT postgis_lib_version() AS v');
  const clean = () => pool.query(CLEAN_SQL);
  await clean();
  return {
    name: `PostgreSQL + PostGIS ${rows[0]!.v}`,
    pool,
    async close() {
      await clean();
      await pool.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let seq = 0;
/** One gas-sensor reading; `prefix` keeps eventIds unique between the publisher process and this one. */
function payload(prefix: string, deviceId: string): string {
  seq++;
  return JSON.stringify({
    eventId: `${prefix}-${seq}`,
    deviceId,
    kind: 'gas-sensor',
    ts: new Date().toISOString(),
    position: { lon: 121.5 + (seq % 1000) / 10_000, lat: 29.85 + (seq % 700) / 10_000, crs: 'wgs84', accuracyM: 5 },
    lelPct: 2 + (seq % 5),
    batteryPct: 90,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts what the sink stored and when, keyed by payload, for Kafka's publish→stored clock. */
class TimingSink implements IngestSink {
  stored = 0;
  readonly storedAt = new Map<string, number>();
  track = false;
  constructor(private readonly inner: IngestSink) {}
  async submit(inputs: RawInput[]): Promise<IngestOutcome[]> {
    const out = await this.inner.submit(inputs);
    const now = performance.now();
    this.stored += inputs.length;
    if (this.track) for (const i of inputs) this.storedAt.set(String(i.payload), now);
    return out;
  }
}

/** What the parent asks the MQTT publisher process to do. */
type PublisherCommand =
  | { mode: 'blast'; total: number }
  | { mode: 'paced'; rate: number; seconds: number };

/**
 * The devices' side of the MQTT runs, in a child process (as real devices are elsewhere): one
 * mqtt.js client per device, QoS 1. `blast` keeps MQTT_WINDOW publishes in flight per client;
 * `paced` publishes at a fixed rate round-robin and reports each publish→PUBACK time.
 */
async function publisherProcess(): Promise<void> {
  const { url, devices } = JSON.parse(process.argv[3]!) as { url: string; devices: [string, string][] };
  const clients = await Promise.all(
    devices.map(([id, token]) => mqtt.connectAsync(url, { username: id, password: token, clientId: `bench-${id}`, reconnectPeriod: 0 })),
  );
  const topic = (k: number) => `devices/gas-sensor/${devices[k]![0]}/events`;
  process.on('message', async (cmd: PublisherCommand | 'exit') => {
    if (cmd === 'exit') {
      await Promise.all(clients.map((c) => c.endAsync()));
      process.exit(0);
    }
    if (cmd.mode === 'blast') {
      const deadline = Date.now() + PHASE_CAP_MS;
      let sent = 0;
      const t0 = performance.now();
      await Promise.all(
        clients.map(async (c, k) => {
          const inflight = new Set<Promise<unknown>>();
          for (let i = 0; i < Math.floor(cmd.total / clients.length) && Date.now() < deadline; i++) {
            const p: Promise<unknown> = c.publishAsync(topic(k), payload('m', devices[k]![0]), { qos: 1 }).then(() => inflight.delete(p));
            inflight.add(p);
            sent++;
            if (inflight.size >= MQTT_WINDOW) await Promise.race(inflight);
          }
          await Promise.all(inflight);
        }),
      );
      process.send!({ sent, seconds: (performance.now() - t0) / 1000 });
      return;
    }
    // Every 5 ms, publish whatever keeps the total on schedule.
    const latencies: number[] = [];
    const pending: Promise<unknown>[] = [];
    const target = cmd.rate * cmd.seconds;
    const start = performance.now();
    let sent = 0;
    while (sent < target) {
      const due = Math.min(target, Math.floor(((performance.now() - start) / 1000) * cmd.rate));
      for (; sent < due; sent++) {
        const k = sent % clients.length;
        const t = performance.now();
        pending.push(clients[k]!.publishAsync(topic(k), payload('m', devices[k]![0]), { qos: 1 }).then(() => latencies.push(performance.now() - t)));
      }
      await sleep(5);
    }
    await Promise.all(pending);
    process.send!({ sent, seconds: (performance.now() - start) / 1000, latencies });
  });
  process.send!({ ready: true });
}

interface PublisherReply {
  sent: number;
  seconds: number;
  latencies?: number[];
}

async function mqttRuns(backend: Backend, sink: IngestSink, tokens: Map<string, string>): Promise<{ rows: Row[]; sent: number }> {
  const transport = new EmbeddedMqttTransport({ port: 0, host: '127.0.0.1', authenticator: new DeviceRegistry(backend.pool), log });
  await transport.start(sink);
  const config = JSON.stringify({ url: `mqtt://127.0.0.1:${transport.listeningPort}`, devices: [...tokens] });
  const child = fork(fileURLToPath(import.meta.url), ['--mqtt-publisher', config], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const replies: ((m: PublisherReply) => void)[] = [];
  child.on('message', (m: PublisherReply) => replies.shift()?.(m));
  const next = () => new Promise<PublisherReply>((resolve) => replies.push(resolve));
  const ask = (cmd: PublisherCommand) => {
    const reply = next();
    child.send(cmd);
    return reply;
  };
  try {
    await next(); // connected
    phase('MQTT publishers connected');
    const warm = await ask({ mode: 'blast', total: 2000 }); // warm-up: JIT, registry cache, prepared statements
    phase('MQTT warm-up done');
    const blast = await ask({ mode: 'blast', total: SUSTAINED_EVENTS });
    phase('MQTT sustained run done');
    const rows: Row[] = [
      { transport: `MQTT (aedes, ${tokens.size} clients, QoS 1)`, database: backend.name, events: blast.sent, seconds: blast.seconds, rate: blast.sent / blast.seconds },
    ];
    const paced = await ask({ mode: 'paced', rate: LATENCY_RATE, seconds: LATENCY_SECONDS });
    phase('MQTT latency run done');
    const latencies = paced.latencies!.sort((x, y) => x - y);
    rows.push({
      transport: 'MQTT (aedes, QoS 1)',
      database: backend.name,
      events: latencies.length,
      seconds: paced.seconds,
      rate: LATENCY_RATE,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    });
    return { rows, sent: warm.sent + blast.sent + paced.sent };
  } finally {
    child.send('exit');
    await new Promise((r) => child.once('exit', r));
    await transport.stop();
  }
}

async function kafkaRuns(backend: Backend, sink: IngestSink, ids: string[]): Promise<{ rows: Row[]; sent: number }> {
  const producer = new Kafka.Producer({ 'test.mock.num.brokers': 1, 'linger.ms': 1 } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
    producer.getMetadata({ topic: KAFKA_TOPIC, timeout: 10_000 }, (err, m) => (err ? reject(err) : resolve(m))),
  );
  producer.setPollInterval(20);
  const bootstrap = md.brokers.map((b) => `${b.host}:${b.port}`).join(',');
  const timing = new TimingSink(sink);
  const transport = new KafkaTransport({ brokers: bootstrap, log, sessionTimeoutMs: 3000 });
  await transport.start(timing);
  phase('Kafka mock cluster and consumer started');
  const send = (i: number): string => {
    const id = ids[i % ids.length]!;
    const value = payload('k', id);
    for (;;) {
      try {
        producer.produce(KAFKA_TOPIC, null, Buffer.from(value), id);
        return value;
      } catch {
        producer.poll(); // local queue full: let delivery reports drain it
      }
    }
  };
  const waitStored = async (n: number): Promise<boolean> => {
    const deadline = Date.now() + PHASE_CAP_MS;
    while (timing.stored < n) {
      if (Date.now() > deadline) return false;
      await sleep(2);
    }
    return true;
  };
  try {
    for (let i = 0; i < 2000; i++) send(i); // warm-up, and the consumer group's first join
    await waitStored(2000);
    phase('Kafka warm-up stored (the consumer group joined)');
    const base = timing.stored;
    const t0 = performance.now();
    for (let i = 0; i < SUSTAINED_EVENTS; i++) {
      send(i);
      if (i % 5000 === 4999) await sleep(0); // let delivery and the consumer run
    }
    const complete = await waitStored(base + SUSTAINED_EVENTS);
    phase('Kafka sustained run stored');
    const seconds = (performance.now() - t0) / 1000;
    const done = timing.stored - base;
    const rows: Row[] = [
      {
        transport: 'Kafka (mock cluster, 4 partitions)',
        database: backend.name,
        events: done,
        seconds,
        rate: done / seconds,
        ...(complete ? {} : { note: `stopped at the ${PHASE_CAP_MS / 1000} s cap` }),
      },
    ];

    timing.track = true;
    const sentAt = new Map<string, number>();
    const target = LATENCY_RATE * LATENCY_SECONDS;
    const before = timing.stored;
    const start = performance.now();
    let sent = 0;
    while (sent < target) {
      const due = Math.min(target, Math.floor(((performance.now() - start) / 1000) * LATENCY_RATE));
      for (; sent < due; sent++) sentAt.set(send(sent), performance.now());
      await sleep(5);
    }
    await waitStored(before + target);
    phase('Kafka latency run stored');
    const latencies = [...sentAt].flatMap(([value, t]) => {
      const s = timing.storedAt.get(value);
      return s === undefined ? [] : [s - t];
    });
    latencies.sort((a, b) => a - b);
    rows.push({
      transport: 'Kafka (mock cluster)',
      database: backend.name,
      events: latencies.length,
      seconds: (performance.now() - start) / 1000,
      rate: LATENCY_RATE,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    });
    return { rows, sent: 2000 + SUSTAINED_EVENTS + sent };
  } finally {
    await transport.stop();
    await new Promise<void>((r) => producer.disconnect(() => r()));
  }
}

async function runOn(backend: Backend): Promise<Row[]> {
  const registry = new DeviceRegistry(backend.pool);
  const tokens = new Map<string, string>();
  for (let i = 0; i < DEVICES; i++) {
    const id = `bench-gas-${i}`;
    tokens.set(id, (await registry.register({ id, kind: 'gas-sensor' })).token);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-bench-images-'));
  const sink = new BatchingIngestSink({ pool: backend.pool, devices: registry, dataDir: dir, log });
  try {
    const m = await mqttRuns(backend, sink, tokens);
    const k = await kafkaRuns(backend, sink, [...tokens.keys()]);
    const rows = [...m.rows, ...k.rows];
    // Nothing lost, nothing doubled: the table must hold exactly what was sent.
    const { rows: c } = await backend.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM device_events WHERE device_id LIKE 'bench-%'`);
    const sent = m.sent + k.sent;
    if (c[0]!.n !== sent) rows.forEach((r) => (r.note = [r.note, `stored ${c[0]!.n} of ${sent} sent`].filter(Boolean).join('; ')));
    return rows;
  } finally {
    await sink.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** Runs the ingest benchmark and returns its markdown section for docs/BENCHMARKS.md. */
export default async function ingestBench(): Promise<string> {
  const rows: Row[] = [];
  const backends: (() => Promise<Backend>)[] = [embeddedBackend];
  if (process.env.DATABASE_URL) backends.push(() => postgresBackend(process.env.DATABASE_URL!));
  for (const open of backends) {
    seq = 0;
    const backend = await open();
    try {
      rows.push(...(await runOn(backend)));
    } finally {
      await backend.close();
    }
  }
  const sustained = rows.filter((r) => r.p50 === undefined);
  const latency = rows.filter((r) => r.p50 !== undefined);
  return [
    '## Ingest: publish → stored',
    '',
    'Device events through the real transports, device registry and batching sink into `device_events`, with the devices\' MQTT clients in a separate process. ' +
      '"Stored" means committed: over MQTT the publisher\'s PUBACK (sent only after the batch committed), over Kafka the sink\'s submit resolving (offsets are committed after it). ' +
      `${DEVICES} devices (one MQTT connection each, up to ${MQTT_WINDOW} unacknowledged publishes per connection), gas-sensor readings of ~250 bytes. Target (docs/DESIGN.md §9): ≥ 10,000 events/s on real PostGIS.` +
      (process.env.DATABASE_URL ? '' : ' DATABASE_URL was not set, so real PostGIS was not measured in this run.'),
    '',
    '### Sustained throughput',
    '',
    '| transport | database | events | seconds | events/s | note |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...sustained.map((r) => `| ${r.transport} | ${r.database} | ${fmt(r.events)} | ${fmt(r.seconds, 1)} | **${fmt(r.rate)}** | ${r.note ?? ''} |`),
    '',
    `### Latency at a fixed ${fmt(LATENCY_RATE)} events/s (${LATENCY_SECONDS} s)`,
    '',
    '| transport | database | events | p50 ms | p99 ms |',
    '| --- | --- | ---: | ---: | ---: |',
    ...latency.map((r) => `| ${r.transport} | ${r.database} | ${fmt(r.events)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} |`),
    '',
    'Reproduce: `npm run bench` (add `DATABASE_URL=postgres://…` for PostGIS), or this section alone with `npx tsx bench/ingest.bench.ts`.',
    '',
  ].join('\n');
}

if (process.argv[2] === '--mqtt-publisher') await publisherProcess();
else if (import.meta.url === `file://${process.argv[1]}`) console.log(await ingestBench());
