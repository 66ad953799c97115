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

type Json = Record<string, unknown>;

/**
 * JSON Schemas of one document. A zod schema named with `.meta({ id })` is written once under
 * `components.schemas` and referenced where it is used, so clients (the web's generated types)
 * get it by name. Its input form, when it differs (defaults make fields optional), is `<id>Input`.
 */
class Schemas {
  readonly named: Json = {};
  private readonly raw = new Map<string, string>();

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const { $schema: _, $defs = {}, ...root } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json & { $defs?: Json };
    const names = new Map(Object.entries($defs).map(([id, def]) => [id, this.nameFor(id, def, io)]));
    const refs = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(refs)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? `#/components/schemas/${names.get(x.slice(8))}` : refs(x)]))
          : v;
    for (const [id, def] of Object.entries($defs)) this.named[names.get(id)!] = refs(def);
    return refs(root) as Json;
  }

  private nameFor(id: string, def: unknown, io: 'input' | 'output'): string {
    const text = JSON.stringify(def);
    for (const name of io === 'input' ? [id, `${id}Input`] : [id]) {
      const seen = this.raw.get(name);
      if (seen === undefined) this.raw.set(name, text);
      if (seen === undefined || seen === text) return name;
    }
    throw new Error(`Two different schemas are named ${id} in the API document`);
  }
}

function parameters(schemas: Schemas, path: string, params: z.ZodType | undefined, query: z.ZodType | undefined): unknown[] {
  const out: unknown[] = [];
  const pathProps = params ? ((schemas.convert(params, 'input') as { properties?: Json }).properties ?? {}) : {};
  for (const [, name] of path.matchAll(/:(\w+)/g)) out.push({ name, in: 'path', required: true, schema: pathProps[name!] ?? { type: 'string' } });
  if (query) {
    const js = schemas.convert(query, 'input') as { properties?: Json; required?: string[] };
    for (const [name, schema] of Object.entries(js.properties ?? {})) out.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
  }
  return out;
}

/** The JSON Schema of a multipart upload: up to `maxFiles` binary files under `field`. */
function multipartSchema(m: NonNullable<Route['spec']['multipart']>): Json {
  return {
    type: 'object',
    required: [m.field],
    properties: { [m.field]: { type: 'array', minItems: 1, maxItems: m.maxFiles, items: { type: 'string', format: 'binary', maxLength: m.maxFileBytes } } },
  };
}

function routeOperation(schemas: Schemas, route: Route): Json {
  const s = route.spec;
  const responses: Record<string, unknown> = {};
  for (const status of [s.status ?? (s.response === null ? 204 : 200), ...(s.otherStatuses ?? [])]) {
    const ok = String(status);
    if (s.response === null) responses[ok] = { description: 'Done' };
    else if (s.response instanceof z.ZodType) responses[ok] = { description: 'OK', content: { 'application/json': { schema: schemas.convert(s.response, 'output') } } };
    else responses[ok] = { description: 'OK', content: { [s.response.raw]: {} } };
  }
  for (const code of routeErrorCodes(s)) {
    const { status, title } = ERROR_CATALOGUE[code];
    const key = String(status);
    const prior = responses[key] as { description: string } | undefined;
    responses[key] = { description: prior ? `${prior.description}; ${code}: ${title}` : `${code}: ${title}`, content: { 'application/json': { schema: errorSchema } } };
  }
  const params = parameters(schemas, s.path, s.params, s.query);
  const body = s.body && schemas.convert(s.body, 'input');
  return {
    tags: [s.tag],
    summary: s.summary,
    ...(s.description ? { description: s.description } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body }, ...(s.textBody ? { [s.textBody.type]: { schema: body } } : {}) } } } : {}),
    ...(s.multipart ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: multipartSchema(s.multipart) } } } } : {}),
    ...(s.allow === 'public' ? { security: [] } : { 'x-roles': [...PERMISSIONS[s.allow]], 'x-action': s.allow }),
    responses,
  };
}

function docOperation(schemas: Schemas, p: PathDoc): Json {
  const responses: Record<string, unknown> = p.upgrade ? {} : { '200': { description: 'OK' } };
  // Only failures carry the error body; a 101 Switching Protocols has none.
  for (const [code, description] of Object.entries(p.responses ?? {})) responses[code] = Number(code) >= 400 ? { description, content: { 'application/json': { schema: errorSchema } } } : { description };
  const params = parameters(schemas, p.path, undefined, p.query);
  return {
    tags: [p.tag],
    summary: p.summary,
    ...(p.description ? { description: p.description } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(p.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemas.convert(p.body, 'input') } } } } : {}),
    // A bearer endpoint keeps the document's default security (the person's token).
    ...(p.auth === 'bearer' ? {} : { security: p.auth === 'device' ? [{ deviceToken: [] }] : [] }),
    ...(p.extensions ?? {}),
    responses,
  };
}

const sorted = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** What the document holds besides the routes. */
export interface DocumentParts {
  /** Endpoints that are not `defineRoute` routes (operations, device intake). */
  docs?: readonly PathDoc[];
  /** Schemas clients rely on by name (each with `.meta({ id })`), even where no route answers with them yet. */
  schemas?: readonly z.ZodType[];
}

/**
 * The OpenAPI 3.1 document of the routes the app serves and the other documented endpoints.
 * Paths and schemas are in a fixed order, so the document (and the types generated from it)
 * does not change when routes are registered in another order.
 */
export function openApiDocument(routes: readonly Route[], parts: DocumentParts = {}): Json {
  const schemas = new Schemas();
  const paths: Record<string, Json> = {};
  const put = (method: string, path: string, op: Json) => ((paths[path.replace(/:(\w+)/g, '{$1}')] ??= {})[method] = op);
  for (const r of routes) put(r.spec.method, r.spec.path, routeOperation(schemas, r));
  for (const d of parts.docs ?? []) put(d.method, d.path, docOperation(schemas, d));
  for (const schema of parts.schemas ?? []) {
    if (!schema.meta()?.id) throw new Error('A named API schema needs .meta({ id })');
    schemas.convert(z.object({ named: schema }), 'output');
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gridwatch API', version: '1', description: 'Grid monitoring and non-site enforcement (非现场执法)' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A person: the token from POST /api/v1/auth/login' },
        deviceToken: { type: 'http', scheme: 'bearer', description: 'A device: its own token, issued at registration' },
      },
      schemas: sorted(schemas.named),
    },
    security: [{ bearer: [] }],
    paths: sorted(Object.fromEntries(Object.entries(paths).map(([path, ops]) => [path, sorted(ops)]))),
  };
}
