import { z } from 'zod';

const bool = z
  .enum(['0', '1', 'true', 'false', ''])
  .transform((v) => v === '1' || v === 'true');

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  );

/**
 * Every environment variable Gridwatch reads. docker-compose and the README are checked
 * against these keys by a test, so add new variables here and nowhere else.
 */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  MQTT_URL: url(['mqtt', 'mqtts', 'tcp', 'ws', 'wss']).optional(),
  MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  /**
   * MQTT_URL mode: the client id of this instance's persistent session (default
   * gridwatch-<hostname>). Stable across restarts, unique across instances: the broker keeps
   * queueing a share of the devices' messages for a session until it comes back.
   */
  MQTT_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 letters, digits or . _ : -')
    .optional(),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be a comma-separated list of host:port')
    .optional(),
  KAFKA_MOCK: bool.default(false),
  DATA_DIR: z.string().min(1).default('./data'),
  DEMO: bool.optional(),
  /** Demo device simulators over the embedded broker; on by default in demo mode. */
  SIMULATORS: bool.optional(),
  /** Demo simulators' ceiling in events/s over the whole fleet: gentle on a laptop; events over it wait their turn. */
  DEMO_RATE: z.coerce.number().gt(0).max(10_000).default(50),
  /** A MapLibre style for the web map's base layer; without it the map uses its offline style. */
  MAP_STYLE_URL: url(['http', 'https']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Most device events in one ingest batch (one insert, then one clue pipeline transaction).
   * Batches fill only while the previous one is being stored, so a quiet city keeps small,
   * prompt batches and a busy one shares each batch's fixed database work among more events.
   */
  INGEST_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  /** A point in a gap or just outside the city within this distance gets the nearest grid cell. */
  LOCATOR_TOLERANCE_M: z.coerce.number().min(0).max(50_000).default(500),
  /**
   * Check every JSON answer against the response schema its route declares (and the OpenAPI
   * document publishes); a mismatch is a 500. On in tests, off by default: it costs a parse.
   */
  CHECK_RESPONSES: bool.default(false),
  /** The warning (预警) before a deadline falls due at this share of the time allowed (0.8: at 80 %). */
  DEADLINE_WARNING_SHARE: z.coerce.number().gt(0).lt(1).default(0.8),
  /** How long a grid worker's phone positions are kept after their duty period ends (hours). */
  POSITION_RETENTION_H: z.coerce.number().min(0).max(24 * 365).default(24),
  /**
   * How long a webhook receiver may take to answer one request before the attempt counts as
   * failed. A target's lease is kept at three times this (at least 30 s), so progress is
   * written while the lease holds even when a request runs to its timeout; the cost is that
   * the targets of a replica that dies wait that long for another one.
   */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** A webhook gives an event up (outbound_failures) after this many failed attempts. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * The bearer token Prometheus and the operators' monitoring send for `/metrics` and for the
   * detail of `/healthz` (docs/SECURITY.md). Unset (development): both are open. Set in
   * production: without it `/metrics` is refused and `/healthz` gives only each component's status.
   */
  OPS_TOKEN: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 24)').optional(),
  /** How long graceful shutdown may drain before it gives up. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export type Env = z.infer<typeof envSchema>;

/** Typed, validated configuration. */
export interface Config extends Env {
  /** Demo city, devices and catalogue: on by default without DATABASE_URL, off with it unless DEMO=1. */
  demo: boolean;
  /** Run the device simulators (needs the embedded broker): SIMULATORS, else on in demo mode. */
  simulators: boolean;
}

/** A configuration problem: start-up prints `message` and exits 1, never a stack trace. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '?');
        return `${key}=${JSON.stringify(picked[key] ?? '')}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  const demo = e.DEMO ?? !e.DATABASE_URL;
  return { ...e, demo, simulators: (e.SIMULATORS ?? demo) && !e.MQTT_URL };
}
