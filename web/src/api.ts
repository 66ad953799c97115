import type { paths } from './api-types.js';
import { clearToken, token } from './session.js';

/** The JSON a successful GET of `path` answers with, as the server's OpenAPI document states it. */
export type GetAnswer<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

/** An answer other than 2xx, with the API's stable error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const sessionEndListeners: (() => void)[] = [];

/** Calls `fn` when the server no longer accepts the session's token (expired or revoked). */
export function onSessionEnd(fn: () => void): void {
  sessionEndListeners.push(fn);
}

/**
 * Sends a request to the Gridwatch API with the session's bearer token and parses the JSON
 * answer. A 401 ends the session (tokens last 12 h), so every caller need not handle it.
 */
export async function request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const bearer = token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (res.ok) return body as T;
  const error = body?.error ?? {};
  if (res.status === 401 && bearer) {
    clearToken();
    for (const fn of sessionEndListeners) fn();
  }
  throw new ApiError(res.status, error.code ?? `HTTP_${res.status}`, error.message ?? res.statusText);
}

/**
 * A reader that fetches once per page and then answers the same promise; a failed read is
 * forgotten, so the next call tries again. For lists that change only with a new catalogue or
 * boundary import (units, town names).
 */
export function readOnce<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () =>
    (pending ??= read().catch((err: unknown) => {
      pending = null;
      throw err;
    }));
}
