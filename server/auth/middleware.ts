import type { NextFunction, Request, Response } from 'express';
import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import { userForToken, type Role, type User } from './users.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `authenticate` when a valid user bearer token came with the request. */
    user?: User;
  }
}

/** Reads `Authorization: Bearer <token>` and attaches the user; invalid tokens are refused. */
export function authenticate(pool: pg.Pool) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new GwError('GW_AUTH_INVALID', `Reading the Authorization header of ${req.method} ${req.path}: expected "Bearer <token>"`);
    const user = await userForToken(pool, m[1]!);
    // Device tokens also arrive as Bearer; device routes authenticate those themselves.
    if (user) req.user = user;
    next();
  };
}

/** Refuses the request unless a user is logged in and has one of `roles` (any role when empty). */
export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.user) throw new GwError('GW_AUTH_REQUIRED', `${req.method} ${req.path} needs a logged-in user (Authorization: Bearer <token>)`);
    if (roles.length && !roles.includes(req.user.role)) {
      throw new GwError('GW_FORBIDDEN', `${req.method} ${req.path} needs role ${roles.join(' or ')}; ${req.user.username} is ${req.user.role}`);
    }
    next();
  };
}

/** The logged-in user of a request that passed `requireRole`. */
export function currentUser(req: Request): User {
  if (!req.user) throw new GwError('GW_AUTH_REQUIRED', `${req.method} ${req.path} needs a logged-in user`);
  return req.user;
}
