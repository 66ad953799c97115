import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../core/metrics.js';

/** Inputs handed to the sink, per transport (before anything is known about them). */
export const ingestReceived = new Counter({
  name: 'gridwatch_ingest_received_total',
  help: 'Device inputs received by the ingest sink',
  labelNames: ['transport'] as const,
  registers: [registry],
});

/** What became of each input once its batch was stored. kind is "unknown" when it could not be read. */
export const ingestOutcomes = new Counter({
  name: 'gridwatch_ingest_events_total',
  help: 'Device inputs by outcome: accepted, duplicate or dead_letter',
  labelNames: ['transport', 'kind', 'outcome'] as const,
  registers: [registry],
});

/** Dead letters by reason code, to see which devices get what wrong. */
export const ingestDeadLetters = new Counter({
  name: 'gridwatch_ingest_dead_letters_total',
  help: 'Dead letters stored, by transport and catalogue code',
  labelNames: ['transport', 'code'] as const,
  registers: [registry],
});

/** Inputs per stored batch. */
export const ingestBatchSize = new Histogram({
  name: 'gridwatch_ingest_batch_size',
  help: 'Inputs per ingest batch',
  buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
  registers: [registry],
});

/** Latency of each ingest stage per batch: decode, lookup (devices), normalise, images, store, downstream. */
export const ingestStageSeconds = new Histogram({
  name: 'gridwatch_ingest_stage_seconds',
  help: 'Ingest stage latency per batch',
  labelNames: ['stage'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Inputs admitted and not yet stored: the back-pressure window in use. */
export const ingestPending = new Gauge({
  name: 'gridwatch_ingest_pending_inputs',
  help: 'Inputs admitted by the ingest sink and not yet stored',
  registers: [registry],
});

/** Failed attempts to store a batch (each retried with back-off). */
export const ingestStoreRetries = new Counter({
  name: 'gridwatch_ingest_store_retries_total',
  help: 'Ingest batch store attempts that failed and were retried',
  registers: [registry],
});

/** Submissions refused: overloaded (no room within the admit timeout), unavailable (storage down too long), closing. */
export const ingestSubmitRefused = new Counter({
  name: 'gridwatch_ingest_submit_refused_total',
  help: 'Ingest submissions refused without storing, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});
