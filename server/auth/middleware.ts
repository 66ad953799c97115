import type { NextFunction, Request, Response } from 'express';
import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import { userForToken, type User } from './users.js';

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
