import { z } from 'zod';

/** One documented endpoint. Schemas are the same zod schemas the handlers validate with. */
export interface PathSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** No bearer token needed. */
  public?: boolean;
  /** Extra response codes with descriptions (200 and the error codes are added for all). */
  responses?: Record<string, string>;
}

const paths: PathSpec[] = [];

/** Adds an endpoint to the OpenAPI document (call at module load, beside the route). */
export function registerPath(spec: PathSpec): void {
  paths.push(spec);
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'title', 'message'],
      properties: { code: { type: 'string' }, title: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

/** Builds the OpenAPI 3.1 document from every registered path. */
export function openApiDocument(): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of paths) {
    const openPath = p.path.replace(/:(\w+)/g, '{$1}');
    const params: unknown[] = [...p.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (p.query) {
      const js = z.toJSONSchema(p.query, { io: 'input', unrepresentable: 'any' }) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        params.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
      }
    }
    const responses: Record<string, unknown> = { '200': { description: 'OK' } };
    for (const [code, description] of Object.entries(p.responses ?? {})) responses[code] = { description };
    responses['400'] = { description: 'Invalid input', content: { 'application/json': { schema: errorSchema } } };
    if (!p.public) {
      responses['401'] = { description: 'Not authenticated', content: { 'application/json': { schema: errorSchema } } };
      responses['403'] = { description: 'Not allowed', content: { 'application/json': { schema: errorSchema } } };
    }
    (out[openPath] ??= {})[p.method] = {
      tags: [p.tag],
      summary: p.summary,
      ...(p.description ? { description: p.description } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(p.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(p.body, { io: 'input', unrepresentable: 'any' }) } },
            },
          }
        : {}),
      ...(p.public ? { security: [] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gridwatch API', version: '1', description: 'Grid monitoring and non-site enforcement (非现场执法)' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: out,
  };
}
