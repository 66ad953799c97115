/**
 * The logged-in session: the bearer token lives in sessionStorage, so it survives a reload but
 * not the closing of the tab, and is never shared with another tab or written to disk for long.
 */
const TOKEN_KEY = 'gridwatch.token';
const USER_KEY = 'gridwatch.user';

/** The user as POST /api/v1/auth/login returns it (the fields the UI shows). */
export interface SessionUser {
  username: string;
  displayName: string;
  role: string;
  /** Jurisdiction codes the user holds; empty: the whole city. */
  scopes?: string[];
}

/** The session's bearer token, if logged in. */
export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The logged-in user, if any. */
export function sessionUser(): SessionUser | null {
  const raw = sessionStorage.getItem(USER_KEY);
  return raw ? (JSON.parse(raw) as SessionUser) : null;
}

/** Keeps a new login's token and user. */
export function saveSession(newToken: string, user: SessionUser): void {
  sessionStorage.setItem(TOKEN_KEY, newToken);
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
}

/** Forgets the token and user. */
export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}
