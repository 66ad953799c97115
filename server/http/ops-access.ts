import crypto from 'node:crypto';
import type { Request } from 'express';
import type { HealthReport } from '../../core/health.js';

/**
 * Whether a request may read the operational detail (`/metrics`, `/healthz` in full): always
 * when no OPS_TOKEN is configured (development), else only with `Authorization: Bearer <OPS_TOKEN>`.
 * The tokens are compared as SHA-256 digests in constant time, so neither the length nor a
 * prefix of the configured token leaks through timing.
 */
export function opsReader(opsToken: string | undefined): (req: Request) => boolean {
  if (!opsToken) return () => true;
  const want = crypto.createHash('sha256').update(opsToken).digest();
  return (req) => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    return !!m && crypto.timingSafeEqual(crypto.createHash('sha256').update(m[1]!).digest(), want);
  };
}

/**
 * The public form of a health report: the overall status and each component's, without details
 * (hostnames, ports, queue depths, error texts) that would map the system for an outsider.
 */
export function publicHealth(report: HealthReport): HealthReport {
  return { status: report.status, components: Object.fromEntries(Object.entries(report.components).map(([name, c]) => [name, { status: c.status }])) };
}
