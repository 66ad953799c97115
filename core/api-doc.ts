import type { z } from 'zod';

/**
 * How an endpoint is described in the OpenAPI document when it is not a `defineRoute` route:
 * the device intake, which reads raw bytes and authenticates devices rather than people, and
 * the operational endpoints. Plain data, so a stage that cannot import the HTTP layer (ingest)
 * can still document its endpoint.
 */
export interface PathDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Who calls it: anyone, or a device with its own token. */
  auth: 'public' | 'device';
  /** Response codes with descriptions (200 is added). */
  responses?: Record<string, string>;
}
