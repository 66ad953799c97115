/**
 * The error catalogue. Every error Gridwatch reports has a stable code and an HTTP status,
 * the way fastify's errors do. Messages say what was being done and with which input.
 * Add new codes here (grouped by stage) and nowhere else.
 */
export const ERROR_CATALOGUE = {
  // foundation
  GW_CONFIG_INVALID: { status: 500, title: 'Invalid configuration' },
  GW_VALIDATION: { status: 400, title: 'Request failed validation' },
  GW_NOT_FOUND: { status: 404, title: 'Not found' },
  GW_ROUTE_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  GW_BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  GW_BAD_JSON: { status: 400, title: 'Request body is not valid JSON' },
  GW_INTERNAL: { status: 500, title: 'Internal error' },
  GW_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  GW_DB_MIGRATION_CHANGED: { status: 500, title: 'An applied migration was changed' },
  GW_DB_LOCKED: { status: 500, title: 'Embedded database is in use by another process' },
  // auth
  GW_AUTH_REQUIRED: { status: 401, title: 'Authentication required' },
  GW_AUTH_INVALID: { status: 401, title: 'Invalid credentials or token' },
  GW_FORBIDDEN: { status: 403, title: 'Not allowed' },
  GW_OUT_OF_SCOPE: { status: 403, title: 'Outside your jurisdiction' },
  GW_CONFLICT: { status: 409, title: 'Conflict' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error from the catalogue, with the context it happened in. */
export class GwError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GwError';
    this.status = ERROR_CATALOGUE[code].status;
  }

  /** The JSON body an API client receives. */
  toJSON(): { error: { code: ErrorCode; title: string; message: string; details?: unknown } } {
    const body = { code: this.code, title: ERROR_CATALOGUE[this.code].title, message: this.message };
    return { error: this.details === undefined ? body : { ...body, details: this.details } };
  }
}

/** Shorthand for `new GwError(code, message, details)`. */
export function gwError(code: ErrorCode, message: string, details?: unknown): GwError {
  return new GwError(code, message, details);
}

/** Flattens zod issues into `path: message` lines, for error details and dead-letter reasons. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
}
