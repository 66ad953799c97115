import { Registry, collectDefaultMetrics, Counter, Histogram } from 'prom-client';

/** The process-wide Prometheus registry served at /metrics. Stages register their metrics here. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'gridwatch_' });

/** HTTP request latency by method, route pattern and status. */
export const httpDuration = new Histogram({
  name: 'gridwatch_http_request_duration_seconds',
  help: 'HTTP request latency',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/** Database query latency, labelled by the named query (or 'adhoc'). */
export const dbDuration = new Histogram({
  name: 'gridwatch_db_query_duration_seconds',
  help: 'Database query latency',
  labelNames: ['query', 'outcome'] as const,
  buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
});

/** Checked-out database clients whose connection failed (terminated by the server, network loss). */
export const dbClientErrors = new Counter({
  name: 'gridwatch_db_client_errors_total',
  help: 'Database connections that failed while checked out of the pool',
  registers: [registry],
});
