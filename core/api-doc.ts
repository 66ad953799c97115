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
  /** Who calls it: anyone, a device with its own token, or a signed-in person (the bearer token). */
  auth: 'public' | 'device' | 'bearer';
  /** Response codes with descriptions (200 is added, except on an upgrade). */
  responses?: Record<string, string>;
  /** A protocol upgrade (WebSocket): there is no 200 answer, the responses say what happens instead. */
  upgrade?: boolean;
  /** `x-` extensions for what OpenAPI cannot express (e.g. the messages of a WebSocket). */
  extensions?: Record<`x-${string}`, unknown>;
}
