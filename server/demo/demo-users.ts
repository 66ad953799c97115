import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { randomSecret } from '../../core/passwords.js';
import { createUser, type NewUser } from '../auth/users.js';

/** One demo login per role. Scoped users get the first demo district (鄞州区) or town. */
const DEMO_USERS: Omit<NewUser, 'password'>[] = [
  { username: 'admin', displayName: '系统管理员 Administrator', role: 'admin', scopes: [], unitId: null },
  { username: 'operator', displayName: '鄞州区指挥中心 District operator', role: 'operator', scopes: ['330212'], unitId: null },
  { username: 'worker', displayName: '网格员 Grid worker', role: 'worker', scopes: ['330212'], unitId: null },
  { username: 'officer', displayName: '住建局 Department officer', role: 'officer', scopes: ['330212'], unitId: null },
  { username: 'planner', displayName: '分析员 Planner', role: 'planner', scopes: [], unitId: null },
];

/**
 * Creates the demo users once, with random passwords kept in DATA_DIR/demo-credentials.json
 * (local use only), and returns the credentials for the start-up banner.
 */
export async function seedDemoUsers(pool: pg.Pool, dataDir: string): Promise<{ username: string; password: string; role: string }[]> {
  const file = path.join(dataDir, 'demo-credentials.json');
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  if (rows[0]!.n > 0 && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  if (rows[0]!.n > 0) return [];
  const creds = DEMO_USERS.map((u) => ({ username: u.username, password: randomSecret(9), role: u.role }));
  for (const [i, u] of DEMO_USERS.entries()) await createUser(pool, { ...u, password: creds[i]!.password });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}
