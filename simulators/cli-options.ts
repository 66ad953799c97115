import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEVICE_KINDS, type DeviceKind } from '../ingest/device-event.js';
import { CHAOS_KINDS, DEFAULT_CHAOS, type ChaosShares } from './chaos.js';
import { DEFAULT_VIOLATIONS, VIOLATION_RULES, type ViolationRates } from './fleet-stream.js';

/** `gridwatch-sim --help`. */
export const HELP = `gridwatch-sim: drive simulated device fleets against a Gridwatch (or any broker speaking its contract)

Usage: npm run simulate -- [options]      (or: npx gridwatch-sim [options])

Target
  --transport mqtt|kafka|http   how events travel (default mqtt)
  --url URL                     the Gridwatch HTTP base (default http://127.0.0.1:8080); its /healthz
                                gives the MQTT port and Kafka bootstrap, its /metrics the final check
  --mqtt URL                    MQTT broker (default: from /healthz, else mqtt://127.0.0.1:1883)
  --kafka BROKERS               Kafka bootstrap host:port[,…] (default: from /healthz, e.g. KAFKA_MOCK=1)
  --devices FILE                device credentials, a JSON array of {id, kind, token}
                                (default ./data/demo-devices.json, written by npm start)
  --admin-token TOKEN           register the run's own devices (sim-<kind>-NNN) through the admin API
                                instead of reading --devices
  --ops-token TOKEN             the service's OPS_TOKEN, when it has one: /healthz's details and
                                /metrics need it (without it the final check is skipped)

Fleet and pace
  --fleet KIND=N,…              devices per kind, e.g. waste-truck=10,gas-sensor=20 (default: all in
                                --devices; with --admin-token 5 of each)
  --rate N                      events per second in total
  --rate-per-device N           events per second per device (instead of --rate)
  --speed X                     simulated time per real time when no rate is given; with --replay,
                                how much faster than recorded (default 1)
  --duration S                  seconds to run (default 30)
  --seed TEXT                   the same seed gives the same events (default gridwatch-sim)
  --violations RULE=P,…         per-device probability of each scripted violation; rules:
                                ${VIOLATION_RULES.join(', ')}
  --offset-crs SHARE            share of devices reporting GCJ-02 or BD-09 (default 0.2)
  --images yes|no               real JPEG snapshots on camera captures (default yes)

Chaos
  --chaos                       mix in trouble, with default shares (${CHAOS_KINDS.map((k) => `${k} ${DEFAULT_CHAOS[k]}`).join(', ')})
  --chaos-shares KIND=P,…       set the shares (implies --chaos)

Record, replay, report
  --record FILE                 write every message sent to NDJSON
  --replay FILE                 replay a recording, timestamps moved to now, new eventIds
  --json FILE                   write the summary as JSON
  --window N                    most unacknowledged messages at once (default 2000)
  --quiet                       no progress line
  -h, --help                    this text

Exit status: 0 when every message sent is accounted for (acknowledged, answered or refused);
1 when some are not; 2 for bad options.`;

const shares = <K extends string>(keys: readonly K[], what: string) =>
  z
    .string()
    .transform((text, ctx) => {
      const out: Partial<Record<K, number>> = {};
      for (const part of text.split(',').filter(Boolean)) {
        const [k, v] = part.split('=');
        const n = Number(v);
        if (!keys.includes(k as K) || !Number.isFinite(n) || n < 0 || n > 1) {
          ctx.addIssue({ code: 'custom', message: `${what}: "${part}" is not KEY=SHARE with KEY one of ${keys.join(', ')} and SHARE in 0..1` });
          return z.NEVER;
        }
        out[k as K] = n;
      }
      return out;
    });

const fleetSchema = z.string().transform((text, ctx) => {
  const out: Partial<Record<DeviceKind, number>> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    const n = Number(v);
    if (!(DEVICE_KINDS as readonly string[]).includes(k!) || !Number.isInteger(n) || n < 0 || n > 100_000) {
      ctx.addIssue({ code: 'custom', message: `--fleet: "${part}" is not KIND=COUNT with KIND one of ${DEVICE_KINDS.join(', ')}` });
      return z.NEVER;
    }
    out[k as DeviceKind] = n;
  }
  return out;
});

const num = (min: number, max: number) => z.coerce.number({ message: 'not a number' }).min(min).max(max);

const optionsSchema = z
  .object({
    transport: z.enum(['mqtt', 'kafka', 'http']).default('mqtt'),
    url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
    mqtt: z.url({ protocol: /^mqtts?$/ }).optional(),
    kafka: z.string().regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, '--kafka: expected host:port[,host:port…]').optional(),
    devices: z.string().min(1).optional(),
    'admin-token': z.string().min(1).optional(),
    'ops-token': z.string().min(1).optional(),
    fleet: fleetSchema.optional(),
    rate: num(0.001, 1_000_000).optional(),
    'rate-per-device': num(0.0001, 100_000).optional(),
    speed: num(0.01, 1_000_000).default(1),
    duration: num(0.1, 7 * 86_400).default(30),
    seed: z.string().min(1).max(64).default('gridwatch-sim'),
    violations: shares(VIOLATION_RULES, '--violations').optional(),
    'offset-crs': num(0, 1).default(0.2),
    images: z.enum(['yes', 'no']).default('yes'),
    chaos: z.boolean().default(false),
    'chaos-shares': shares(CHAOS_KINDS, '--chaos-shares').optional(),
    record: z.string().min(1).optional(),
    replay: z.string().min(1).optional(),
    json: z.string().min(1).optional(),
    window: num(1, 1_000_000).default(2000),
    quiet: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict()
  .refine((o) => !(o.rate !== undefined && o['rate-per-device'] !== undefined), { message: 'give --rate or --rate-per-device, not both' })
  .refine((o) => Object.values(o['chaos-shares'] ?? {}).reduce((a, b) => a + b, 0) <= 1, { message: '--chaos-shares: the shares add up to more than 1' })
  .refine((o) => !(o.replay && o.record), { message: '--replay and --record do not go together (the replay is the recording)' });

/** Options after validation, with the defaults filled in. */
export interface CliOptions extends Omit<z.infer<typeof optionsSchema>, 'violations' | 'chaos-shares' | 'chaos'> {
  violations: ViolationRates;
  chaos: ChaosShares | null;
}

/** Parses argv (unknown options refused) and validates it; throws an Error whose message is for the user. */
export function parseCliOptions(argv: string[]): CliOptions {
  const s = { type: 'string' } as const;
  const b = { type: 'boolean' } as const;
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      transport: s, url: s, mqtt: s, kafka: s, devices: s, 'admin-token': s, 'ops-token': s, fleet: s, rate: s, 'rate-per-device': s, speed: s,
      duration: s, seed: s, violations: s, 'offset-crs': s, images: s, chaos: b, 'chaos-shares': s, record: s, replay: s, json: s,
      window: s, quiet: b, help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}; options start with --`);
  const r = optionsSchema.safeParse(values);
  if (!r.success) throw new Error(r.error.issues.map((i) => (i.path.length ? `--${i.path.join('.')}: ${i.message}` : i.message)).join('\n'));
  const o = r.data;
  const chaosOn = o.chaos || o['chaos-shares'] !== undefined;
  return {
    ...o,
    violations: { ...DEFAULT_VIOLATIONS, ...o.violations },
    chaos: chaosOn ? { ...(o['chaos-shares'] ? Object.fromEntries(CHAOS_KINDS.map((k) => [k, 0])) : DEFAULT_CHAOS), ...o['chaos-shares'] } as ChaosShares : null,
  };
}
