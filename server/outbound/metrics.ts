import { Counter, Gauge } from 'prom-client';
import { registry } from '../../core/metrics.js';

/** Clue events delivered, per target ('mqtt', 'kafka', 'webhook:<id>'). */
export const outboundDelivered = new Counter({
  name: 'gridwatch_outbound_delivered_total',
  help: 'Clue events delivered, per target',
  labelNames: ['target'] as const,
  registers: [registry],
});

/** Failed delivery attempts, per target; each is retried after a back-off. */
export const outboundFailed = new Counter({
  name: 'gridwatch_outbound_failed_attempts_total',
  help: 'Failed clue-event delivery attempts, per target (retried with back-off)',
  labelNames: ['target'] as const,
  registers: [registry],
});

/** Events a webhook gave up on after the maximum attempts (kept in outbound_failures). */
export const outboundGivenUp = new Counter({
  name: 'gridwatch_outbound_given_up_total',
  help: 'Clue events given up on after the maximum attempts, per target',
  labelNames: ['target'] as const,
  registers: [registry],
});

/** Outbox lag per target: events not yet delivered. */
export const outboundLagEvents = new Gauge({
  name: 'gridwatch_outbound_lag_events',
  help: 'Clue events in the outbox a target has not yet delivered',
  labelNames: ['target'] as const,
  registers: [registry],
});

/** Outbox lag per target: age of the oldest event not yet delivered. */
export const outboundLagSeconds = new Gauge({
  name: 'gridwatch_outbound_lag_seconds',
  help: 'Age of the oldest clue event a target has not yet delivered',
  labelNames: ['target'] as const,
  registers: [registry],
});
