import { every } from '../core/every.js';
import type { Logger } from '../core/logger.js';
import type { DemoDevice } from '../ingest/demo-devices.js';
import type { Outgoing } from './chaos.js';
import type { DevicePlan } from './fleet-plan.js';
import { scenarioFor } from './scenarios.js';
import { mqttSender } from './senders.js';

/** A running fleet of simulated devices. */
export interface Simulators {
  /** Events published and acknowledged by the broker so far. */
  published(): number;
  stop(): Promise<void>;
}

/**
 * Drives the demo fleet over real MQTT, exactly as devices would, through the CLI's own MQTT
 * sender (simulators/senders.ts): one connection per device (username = device id, password =
 * its token), QoS 1 to `devices/{kind}/{id}/events`. At most `rate` events/s leave (DEMO_RATE):
 * the rest wait in order for the next ticks, so a busy moment is stretched. A fleet that makes
 * more than `rate` for good would grow the wait without end, so at most WAIT_S seconds' worth
 * wait; older ones are dropped here, on the device side, and counted in a warning, as a device
 * with a full send buffer would.
 */
const WAIT_S = 60;

export async function startSimulators(opts: {
  mqttUrl: string;
  devices: readonly DemoDevice[];
  plans: readonly DevicePlan[];
  log: Logger;
  tickMs?: number;
  rate?: number;
}): Promise<Simulators> {
  const runId = Date.now().toString(36);
  const start = Date.now();
  const tickMs = opts.tickMs ?? 1000;
  const tokens = new Map(opts.devices.map((d) => [d.id, d.token]));
  const plans = opts.plans.filter((p) => tokens.has(p.deviceId));
  const sender = await mqttSender(opts.mqttUrl, plans.map((p) => ({ id: p.deviceId, kind: p.kind, token: tokens.get(p.deviceId)! })), `sim-${runId}`);
  const perKind = new Map<string, number>();
  const fleet = plans.map((plan) => {
    const index = perKind.get(plan.kind) ?? 0;
    perKind.set(plan.kind, index + 1);
    return { plan, scenario: scenarioFor(plan, index, start, runId) };
  });
  const waiting: Outgoing[] = [];
  // Fractions carry over, so a rate below one per tick still sends its share.
  let budget = 0;
  let acked = 0;
  const ticks = every('demo simulators', tickMs, async () => {
    const now = Date.now();
    for (const d of fleet)
      for (const event of d.scenario(now)) waiting.push({ deviceId: d.plan.deviceId, kind: d.plan.kind, payload: JSON.stringify(event), expect: { status: 'accepted' } });
    budget = Math.min(budget + ((opts.rate ?? Infinity) * tickMs) / 1000, Math.max(1, waiting.length));
    const due = waiting.splice(0, Math.floor(budget));
    const over = waiting.length - (opts.rate ?? Infinity) * WAIT_S;
    if (over > 0) opts.log.warn({ dropped: waiting.splice(0, Math.ceil(over)).length, rate: opts.rate }, 'demo fleet makes more than DEMO_RATE: oldest waiting events dropped');
    budget -= due.length;
    for (const msg of due)
      void sender.send(msg).then((r) => {
        if (r.status === 'refused') opts.log.warn({ err: r.error, deviceId: msg.deviceId }, 'simulated publish failed');
        else acked++;
      });
  }, opts.log);
  opts.log.info({ devices: fleet.length, mqtt: opts.mqttUrl, rate: opts.rate }, 'simulators running');
  return {
    published: () => acked,
    async stop() {
      await ticks.stop();
      await sender.close();
    },
  };
}
