import { Counter } from 'prom-client';
import { registry } from '../../core/metrics.js';

/** Connections, publishes and subscriptions the embedded broker refused, by reason. */
export const mqttRefused = new Counter({
  name: 'gridwatch_mqtt_refused_total',
  help: 'MQTT connections, publishes and subscriptions refused by the embedded broker',
  labelNames: ['reason'] as const,
  registers: [registry],
});

/**
 * Messages left unacknowledged because storage failed; the broker (or the device, for the
 * embedded one) redelivers them, so this counts retries, not losses.
 */
export const mqttUnacknowledged = new Counter({
  name: 'gridwatch_mqtt_unacknowledged_total',
  help: 'MQTT messages not acknowledged because storing them failed (they are redelivered)',
  labelNames: ['mode'] as const,
  registers: [registry],
});

/** The one topic a device may publish to (docs/DESIGN.md section 8). */
export function deviceTopic(kind: string, deviceId: string): string {
  return `devices/${kind}/${deviceId}/events`;
}
