import mqtt, { type MqttClient } from 'mqtt';
import { every } from '../core/every.js';
import type { Logger } from '../core/logger.js';
import type { DemoDevice } from '../ingest/demo-devices.js';
import type { DevicePlan } from './fleet-plan.js';
import { scenarioFor } from './scenarios.js';

/** A running fleet of simulated devices. */
export interface Simulators {
  /** Events published and acknowledged by the broker so far. */
  published(): number;
  stop(): Promise<void>;
}

/**
 * Drives the demo fleet over real MQTT, exactly as devices would: one connection per device
 * (username = device id, password = its token), QoS 1 to `devices/{kind}/{id}/events`.
 */
export async function startSimulators(opts: {
  mqttUrl: string;
  devices: readonly DemoDevice[];
  plans: readonly DevicePlan[];
  log: Logger;
  tickMs?: number;
}): Promise<Simulators> {
  const runId = Date.now().toString(36);
  const start = Date.now();
  const tokens = new Map(opts.devices.map((d) => [d.id, d.token]));
  const perKind = new Map<string, number>();
  let acked = 0;
  const fleet = await Promise.all(
    opts.plans
      .filter((p) => tokens.has(p.deviceId))
      .map(async (plan) => {
        const index = perKind.get(plan.kind) ?? 0;
        perKind.set(plan.kind, index + 1);
        const client: MqttClient = await mqtt.connectAsync(opts.mqttUrl, {
          clientId: `sim-${plan.deviceId}`,
          username: plan.deviceId,
          password: tokens.get(plan.deviceId),
          reconnectPeriod: 2000,
        });
        return { plan, client, scenario: scenarioFor(plan, index, start, runId), topic: `devices/${plan.kind}/${plan.deviceId}/events` };
      }),
  );
  const ticks = every('demo simulators', opts.tickMs ?? 1000, async () => {
    const now = Date.now();
    for (const d of fleet) {
      for (const event of d.scenario(now)) {
        d.client.publish(d.topic, JSON.stringify(event), { qos: 1 }, (err) => {
          if (err) opts.log.warn({ err, deviceId: d.plan.deviceId }, 'simulated publish failed');
          else acked++;
        });
      }
    }
  }, opts.log);
  opts.log.info({ devices: fleet.length, mqtt: opts.mqttUrl }, 'simulators running');
  return {
    published: () => acked,
    async stop() {
      await ticks.stop();
      await Promise.all(fleet.map((d) => d.client.endAsync()));
    },
  };
}
