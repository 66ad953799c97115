import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { ERROR_CATALOGUE, GwError, describeIssues, type ErrorCode } from '../../core/errors.js';
import { can, PERMISSIONS, type Permission } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { parseInput, parseQuery } from '../../core/validate.js';

/** Who may call a route: the people allowed an action of the policy module, or anyone. */
export type RouteAccess = Permission | 'public';

/** What a route answers with: a JSON body (its schema), nothing (204), or a body the handler writes. */
export type RouteResponse = z.ZodType | null | { raw: string };

/** A status a route may answer with on success. */
export type SuccessStatus = 200 | 201 | 202 | 204;

/** One endpoint, declared once: path, who may call it, what it takes, what it answers. */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodObject | z.ZodUndefined, B extends z.ZodType, R extends RouteResponse, A extends RouteAccess> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, e.g. `/api/v1/clues/:code`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  allow: A;
  params?: P;
  /** Query parameters; unknown ones are refused (400 GW_VALIDATION naming them), and any at all when this is absent. */
  query?: Q;
  body?: B;
  /**
   * A body of another content type, read as text only once the caller is authorised (so an
   * anonymous upload is refused before it is read), up to its own limit; `body` then validates
   * the text or the parsed JSON, whichever came.
   */
  textBody?: { type: string; limit: string };
  /**
   * A multipart/form-data upload of files under `field`, for the document. The handler reads
   * the stream itself (`ctx.req`), only after the caller is authorised, within its own limits.
   */
  multipart?: { field: string; maxFiles: number; maxFileBytes: number };
  /** The code a failed validation of params, query or body answers (default GW_VALIDATION). */
  invalid?: ErrorCode;
  response: R;
  /** Success status (default 200, or 204 when `response` is null). */
  status?: SuccessStatus;
  /**
   * Other success statuses the handler may pick with `ctx.setStatus`, with the same response
   * schema (an import answers 201 when it stored something and 200 when it was all known).
   */
  otherStatuses?: readonly SuccessStatus[];
  /** Error codes this route answers besides validation and authentication, for the document. */
  errors?: readonly ErrorCode[];
}

/**
 * What a JSON route's handler returns when it has written the answer itself in another format
 * the caller asked for (a list exported as CSV or GeoJSON); the document describes the JSON.
 */
export const STREAMED: unique symbol = Symbol('streamed');

const NO_QUERY = z.object({});

type Input<S> = S extends z.ZodType ? z.infer<S> : undefined;
type Output<R> = R extends z.ZodType ? z.input<R> : R extends null ? void : void;

/** What a handler receives: validated input and, unless the route is public, the caller. */
export interface RouteContext<P, Q, B, A extends RouteAccess> {
  params: Input<P>;
  query: Input<Q>;
  body: Input<B>;
  user: A extends 'public' ? User | undefined : User;
  req: Request;
  res: Response;
  /** Answers with another declared success status (`status` or one of `otherStatuses`). */
  setStatus(status: SuccessStatus): void;
}

/** A declared route with its handler, ready to mount and to document. */
export interface Route {
  spec: RouteSpec<z.ZodType, z.ZodObject | z.ZodUndefined, z.ZodType, RouteResponse, RouteAccess>;
  handle(req: Request, res: Response, opts: MountOptions): Promise<void>;
}

export interface MountOptions {
  /** Check every JSON response against its declared schema (tests, development). */
  checkResponses?: boolean;
}


/**
 * Declares a route: validation (params, query, body through zod), authorisation (the policy
 * module's role × action; scope is the handler's, through the same module) and documentation
 * (OpenAPI, with the response schema) come from this one declaration.
 */
export function defineRoute<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodObject | z.ZodUndefined = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  R extends RouteResponse = null,
  A extends RouteAccess = RouteAccess,
>(
  spec: RouteSpec<P, Q, B, R, A>,
  handler: (ctx: RouteContext<P, Q, B, A>) => Promise<Output<R> | typeof STREAMED> | Output<R> | typeof STREAMED,
): Route {
  const what = `${spec.method.toUpperCase()} ${spec.path}`;
  const invalid = spec.invalid ?? 'GW_VALIDATION';
  const readText = spec.textBody && express.text({ type: spec.textBody.type, limit: spec.textBody.limit });
  return {
    spec: spec as unknown as Route['spec'],
    async handle(req, res, opts) {
      const user = req.user;
      const allow: RouteAccess = spec.allow;
      if (allow !== 'public') {
        if (!user) throw new GwError('GW_AUTH_REQUIRED', `${what} needs a logged-in user (Authorization: Bearer <token>)`);
        if (!can(user.role, allow))
          throw new GwError('GW_FORBIDDEN', `${what} needs role ${PERMISSIONS[allow].join(' or ')}; ${user.username} is ${user.role}`);
      }
      if (readText) await new Promise<void>((resolve, reject) => readText(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      const response = spec.response as RouteResponse;
      const declared: readonly SuccessStatus[] = [spec.status ?? (response === null ? 204 : 200), ...(spec.otherStatuses ?? [])];
      let status = declared[0]!;
      const ctx = {
        params: spec.params ? parseInput(spec.params, req.params, `the path of ${what}`, invalid) : undefined,
        // A route that takes no query refuses one too: a filter it does not have must not look applied.
        query: parseQuery(spec.query instanceof z.ZodObject ? spec.query : NO_QUERY, req.query, `the query of ${what}`, invalid),
        body: spec.body ? parseInput(spec.body, req.body, `the body of ${what}`, invalid) : undefined,
        user,
        req,
        res,
        setStatus(s: SuccessStatus) {
          if (!declared.includes(s)) throw new GwError('GW_INTERNAL', `${what} answered ${s}, a status it does not declare`);
          status = s;
        },
      } as RouteContext<P, Q, B, A>;
      const out = await handler(ctx);
      if (out === STREAMED) return;
      if (response === null) {
        res.status(status).end();
      } else if (response instanceof z.ZodType) {
        if (opts.checkResponses) {
          const r = response.safeParse(out);
          if (!r.success) throw new GwError('GW_INTERNAL', `${what} answered outside its declared response schema: ${describeIssues(r.error.issues).join('; ')}`);
          const extra = undeclaredField(out, r.data);
          if (extra) throw new GwError('GW_INTERNAL', `${what} answered with ${extra}, which its declared response schema does not name`);
        }
        res.status(status).json(out);
      }
      // { raw }: the handler wrote the response itself.
    },
  };
}

/**
 * The first field `sent` has that `kept` (what the schema let through) lacks, as a path: zod
 * objects drop unknown keys silently, but the document promises no other fields.
 */
function undeclaredField(sent: unknown, kept: unknown, path = ''): string | null {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    for (const [i, x] of sent.entries()) {
      const found = undeclaredField(x, kept[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (sent && kept && typeof sent === 'object' && typeof kept === 'object') {
    for (const [k, x] of Object.entries(sent)) {
      const at = path ? `${path}.${k}` : k;
      if (x !== undefined && !(k in kept)) return at;
      const found = undeclaredField(x, (kept as Record<string, unknown>)[k], at);
      if (found) return found;
    }
  }
  return null;
}

/** An Express router serving `routes`, each behind its own checks. */
export function routesRouter(routes: readonly Route[], opts: MountOptions = {}): Router {
  const r = Router();
  for (const route of routes) {
    r[route.spec.method](route.spec.path, (req: Request, res: Response, next: NextFunction) => {
      route.handle(req, res, opts).catch(next);
    });
  }
  return r;
}

/** The statuses a route can answer with, for its document: declared errors plus the common ones. */
export function routeErrorCodes(spec: Route['spec']): ErrorCode[] {
  // Every route reads the database (a login checks the user; the rest, the session first).
  const codes = new Set<ErrorCode>([spec.invalid ?? 'GW_VALIDATION', ...(spec.errors ?? []), 'GW_DB_UNAVAILABLE']);
  if (spec.allow !== 'public') codes.add('GW_AUTH_REQUIRED').add('GW_FORBIDDEN');
  return [...codes].sort((a, b) => ERROR_CATALOGUE[a].status - ERROR_CATALOGUE[b].status);
}
