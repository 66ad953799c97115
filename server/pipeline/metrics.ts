import { Counter, Histogram } from 'prom-client';
import { registry } from '../../core/metrics.js';

/** Alerts the detectors raised, by type and disposition (clue or review). */
export const pipelineAlerts = new Counter({
  name: 'gridwatch_pipeline_alerts_total',
  help: 'Alerts raised by the detectors',
  labelNames: ['type', 'disposition'] as const,
  registers: [registry],
});

/** Clue changes stored: opened, or updated by joining alerts. */
export const pipelineClues = new Counter({
  name: 'gridwatch_pipeline_clues_total',
  help: 'Clues opened or updated by the pipeline',
  labelNames: ['change'] as const,
  registers: [registry],
});

/** Time to take one batch (or silence sweep) from locate to commit, retries included. */
export const pipelineBatchSeconds = new Histogram({
  name: 'gridwatch_pipeline_batch_seconds',
  help: 'Clue pipeline time per batch, locate to commit',
  labelNames: ['source'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

/** Batch transactions retried after a connection-class failure. */
export const pipelineRetries = new Counter({
  name: 'gridwatch_pipeline_retries_total',
  help: 'Clue pipeline database attempts retried after a connection-class failure',
  registers: [registry],
});

/** Stored events a sweep took through the pipeline after the sink's hand-off left them (crash, failure). */
export const pipelineRecovered = new Counter({
  name: 'gridwatch_pipeline_recovered_events_total',
  help: 'Stored device events the recovery sweep took through the clue pipeline',
  registers: [registry],
});

/** Stored events the pipeline failed on alone: put off for another try, or given up. */
export const pipelineFailures = new Counter({
  name: 'gridwatch_pipeline_event_failures_total',
  help: 'Stored device events the clue pipeline failed on alone, by outcome (retry, given_up)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
