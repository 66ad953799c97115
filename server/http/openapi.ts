import { z } from 'zod';
import type { PathDoc } from '../../core/api-doc.js';
import { ERROR_CATALOGUE } from '../../core/errors.js';
import { PERMISSIONS } from '../auth/policy.js';
import { routeErrorCodes, type Route } from './define-route.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'title', 'message'],
      properties: { code: { type: 'string' }, title: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' });

function parameters(path: string, params: z.ZodType | undefined, query: z.ZodType | undefined): unknown[] {
  const out: unknown[] = [];
  const pathProps = params ? ((jsonSchema(params, 'input') as { properties?: Record<string, unknown> }).properties ?? {}) : {};
  for (const [, name] of path.matchAll(/:(\w+)/g)) out.push({ name, in: 'path', required: true, schema: pathProps[name!] ?? { type: 'string' } });
  if (query) {
    const js = jsonSchema(query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(js.properties ?? {})) out.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
  }
  return out;
}

function routeOperation(route: Route): Record<string, unknown> {
  const s = route.spec;
  const responses: Record<string, unknown> = {};
  for (const status of [s.status ?? (s.response === null ? 204 : 200), ...(s.otherStatuses ?? [])]) {
    const ok = String(status);
    if (s.response === null) responses[ok] = { description: 'Done' };
    else if (s.response instanceof z.ZodType) responses[ok] = { description: 'OK', content: { 'application/json': { schema: jsonSchema(s.response, 'output') } } };
    else responses[ok] = { description: 'OK', content: { [s.response.raw]: {} } };
  }
  for (const code of routeErrorCodes(s)) {
    const { status, title } = ERROR_CATALOGUE[code];
    const key = String(status);
    const prior = responses[key] as { description: string } | undefined;
    responses[key] = { description: prior ? `${prior.description}; ${code}: ${title}` : `${code}: ${title}`, content: { 'application/json': { schema: errorSchema } } };
  }
  const params = parameters(s.path, s.params, s.query);
  return {
    tags: [s.tag],
    summary: s.summary,
    ...(s.description ? { description: s.description } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(s.body, 'input') } } } } : {}),
    ...(s.allow === 'public' ? { security: [] } : { 'x-roles': [...PERMISSIONS[s.allow]], 'x-action': s.allow }),
    responses,
  };
}

function docOperation(p: PathDoc): Record<string, unknown> {
  const responses: Record<string, unknown> = { '200': { description: 'OK' } };
  for (const [code, description] of Object.entries(p.responses ?? {})) responses[code] = { description, content: { 'application/json': { schema: errorSchema } } };
  const params = parameters(p.path, undefined, p.query);
  return {
    tags: [p.tag],
    summary: p.summary,
    ...(p.description ? { description: p.description } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(p.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(p.body, 'input') } } } } : {}),
    security: p.auth === 'device' ? [{ deviceToken: [] }] : [],
    responses,
  };
}

/** The OpenAPI 3.1 document of the routes the app serves and the other documented endpoints. */
export function openApiDocument(routes: readonly Route[], docs: readonly PathDoc[] = []): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const put = (method: string, path: string, op: Record<string, unknown>) => ((paths[path.replace(/:(\w+)/g, '{$1}')] ??= {})[method] = op);
  for (const r of routes) put(r.spec.method, r.spec.path, routeOperation(r));
  for (const d of docs) put(d.method, d.path, docOperation(d));
  return {
    openapi: '3.1.0',
    info: { title: 'Gridwatch API', version: '1', description: 'Grid monitoring and non-site enforcement (非现场执法)' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A person: the token from POST /api/v1/auth/login' },
        deviceToken: { type: 'http', scheme: 'bearer', description: 'A device: its own token, issued at registration' },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
