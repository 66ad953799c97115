import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { hashSecret, randomSecret, sha256, verifySecret } from '../../core/passwords.js';

/** Roles of people (docs/DESIGN.md section 2). */
export const ROLES = ['admin', 'operator', 'worker', 'officer', 'planner'] as const;
export type Role = (typeof ROLES)[number];

/** An authenticated person, as handlers see them. */
export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Jurisdiction codes (district or town) this user may see and act in; empty = whole city. */
  scopes: string[];
  unitId: string | null;
}

/** A login name: 2-64 ASCII letters, digits, `.`, `_` or `-`. */
export const usernameSchema = z.string().min(2).max(64).regex(/^[A-Za-z0-9._-]+$/, 'must be 2-64 letters, digits, . _ or -');
/** A password a person chooses: at least 8 characters. */
export const passwordSchema = z.string().min(8).max(200);

export const newUserSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  displayName: z.string().min(1).max(100),
  role: z.enum(ROLES),
  scopes: z.array(z.string().min(1).max(32)).max(200).default([]),
  unitId: z.string().min(1).max(64).nullable().default(null),
});
export type NewUser = z.infer<typeof newUserSchema>;

/** How long a login token lives. */
export const TOKEN_TTL_MS = 12 * 3600_000;

const sql = defineQueries(import.meta.url, {
  insertUser: 'insert-user',
  findByName: 'find-user-by-name',
  insertToken: 'insert-token',
  findTokenUser: 'find-token-user',
  revokeToken: 'revoke-token',
  listUsers: 'list-users',
  setDisabled: 'set-user-disabled',
  setPassword: 'set-user-password',
  revokeUserTokens: 'revoke-user-tokens',
  countActiveAdmins: 'count-active-admins',
});

/** A user as administrators see them, with whether the account is disabled. */
export type UserAccount = User & { disabled: boolean };

type UserRow = { id: number | string; username: string; display_name: string; role: Role; scopes: string[]; unit_id: string | null };
// bigint ids arrive as strings unless db/database.ts's int8 parser is loaded (a CLI, a test pool).
const toUser = (r: UserRow): User => ({
  id: Number(r.id),
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  scopes: r.scopes,
  unitId: r.unit_id,
});

/** Creates a user; a taken username is GW_CONFLICT, a unit that does not exist GW_USER_UNKNOWN_UNIT. */
export async function createUser(pool: pg.Pool, input: NewUser): Promise<User> {
  const hash = await hashSecret(input.password);
  try {
    const { rows } = await pool.query<UserRow>(sql.insertUser, [
      input.username,
      hash,
      input.displayName,
      input.role,
      input.scopes,
      input.unitId,
    ]);
    return toUser(rows[0]!);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new GwError('GW_CONFLICT', `Creating user ${input.username}: the username is taken`);
    }
    if ((err as { constraint?: string }).constraint === 'users_unit_id_fkey') {
      throw new GwError('GW_USER_UNKNOWN_UNIT', `Creating user ${input.username}: unitId: no unit ${input.unitId}`, { problems: [`unitId: no unit ${input.unitId}`] });
    }
    throw err;
  }
}

/** Lists users (admin view; never returns password hashes). */
export async function listUsers(pool: pg.Pool): Promise<UserAccount[]> {
  const { rows } = await pool.query<UserRow & { disabled: boolean }>(sql.listUsers);
  return rows.map((r) => ({ ...toUser(r), disabled: r.disabled }));
}

/**
 * Disables or re-enables a user. Disabling also revokes every token the user holds, in the
 * same transaction, so a later enable does not bring old sessions back. Unknown: GW_NOT_FOUND.
 */
export async function setUserDisabled(pool: pg.Pool, username: string, disabled: boolean): Promise<UserAccount> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<UserRow & { disabled: boolean }>(sql.setDisabled, [username, disabled]);
    const row = rows[0];
    if (!row) throw new GwError('GW_NOT_FOUND', `${disabled ? 'Disabling' : 'Enabling'} user ${username}: no such user`);
    if (disabled) await client.query(sql.revokeUserTokens, [row.id]);
    return { ...toUser(row), disabled: row.disabled };
  });
}

/**
 * Sets a user's password and revokes every token the user holds (whoever had the old password
 * may have logged in with it). Unknown: GW_NOT_FOUND.
 */
export async function setUserPassword(pool: pg.Pool, username: string, password: string): Promise<UserAccount> {
  const hash = await hashSecret(password);
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<UserRow & { disabled: boolean }>(sql.setPassword, [username, hash]);
    const row = rows[0];
    if (!row) throw new GwError('GW_NOT_FOUND', `Resetting the password of user ${username}: no such user`);
    await client.query(sql.revokeUserTokens, [row.id]);
    return { ...toUser(row), disabled: row.disabled };
  });
}

/** How many administrators can log in: none means nobody can manage users over the API. */
export async function countActiveAdmins(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(sql.countActiveAdmins);
  return rows[0]!.n;
}

/**
 * Checks a username and password and issues a bearer token. Unknown user, wrong password
 * and disabled user all answer the same GW_AUTH_INVALID, so usernames cannot be probed.
 */
export async function login(pool: pg.Pool, username: string, password: string, now = Date.now()): Promise<{ token: string; user: User; expiresAt: string }> {
  const { rows } = await pool.query<UserRow & { password_hash: string; disabled: boolean }>(sql.findByName, [username]);
  const row = rows[0];
  // Verify against a dummy hash when the user is unknown so timing does not reveal it.
  const ok = await verifySecret(password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok || row.disabled) throw new GwError('GW_AUTH_INVALID', `Logging in as ${username}: wrong username or password`);
  const token = randomSecret(32);
  const expiresAt = new Date(now + TOKEN_TTL_MS);
  await pool.query(sql.insertToken, [sha256(token), row.id, expiresAt]);
  return { token, user: toUser(row), expiresAt: expiresAt.toISOString() };
}

/** Resolves a bearer token to its user, or null when unknown, expired, revoked or disabled. */
export async function userForToken(pool: pg.Pool, token: string): Promise<User | null> {
  const { rows } = await pool.query<UserRow>(sql.findTokenUser, [sha256(token)]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Revokes a bearer token (logout). */
export async function revokeToken(pool: pg.Pool, token: string): Promise<void> {
  await pool.query(sql.revokeToken, [sha256(token)]);
}

const DUMMY_HASH = await hashSecret(randomSecret());
