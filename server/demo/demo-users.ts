import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { randomSecret } from '../../core/passwords.js';
import type { LocateResult } from '../../geo/types.js';
import { createUser, listUsers, type NewUser, type Role } from '../auth/users.js';
import { catalogueAt, type CatalogueHistory } from '../catalogue/catalogue-at.js';
import type { Unit } from '../catalogue/model.js';
import { departmentKey, type UnitDirectory } from '../catalogue/units.js';
import { firstEpisodePosition } from './demo-fleet.js';

/** A demo login as DATA_DIR/demo-credentials.json keeps it (older files have no unitId). */
interface StoredCredential {
  username: string;
  password: string;
  role: Role;
  unitId?: string | null;
}

/** A demo login as the start-up banner prints it. */
export interface DemoCredential {
  username: string;
  password: string;
  role: Role;
  unitId: string | null;
  unit: { zh: string; en: string } | null;
}

/** What the demo users are chosen from: the units and catalogue in force, and the locator. */
export interface DemoOrganisationView {
  units: UnitDirectory;
  history: CatalogueHistory;
  locate: (lon: number, lat: number) => LocateResult;
}

type DemoUser = Omit<NewUser, 'password'>;

/**
 * The town the demo's town users belong to: the town of the first scripted episode (gas-001's
 * leak) when it has a team and is empowered (赋权) for the gas-leak item, so its clue lands in
 * their tasks list; else the first empowered town with a team.
 */
function demoTown(org: DemoOrganisationView, now: number): Extract<Unit, { kind: 'town-team' }> {
  const snapshot = catalogueAt(org.history, now);
  const gasItem = snapshot && Object.values(snapshot.items).find((i) => i.alertTypes.includes('gas.leak'));
  const empowered = (townCode: string) => !!(gasItem && snapshot.empowerment[townCode]?.[gasItem.code]);
  const first = firstEpisodePosition();
  const located = org.locate(first.lon, first.lat).town?.code;
  const team = located ? org.units.townTeams.get(located) : undefined;
  if (team && located && empowered(located)) return team;
  const teams = [...org.units.townTeams.values()].sort((a, b) => a.townCode.localeCompare(b.townCode));
  const fallback = teams.find((t) => empowered(t.townCode)) ?? teams[0];
  if (!fallback) throw new Error('the demo catalogue has no town team to give the demo users');
  return fallback;
}

/**
 * The demo users, each bound to a real demo unit with a scope: a city operator (city office,
 * every district) and a district operator (the district office); a town operator and two grid
 * workers of one empowered town's enforcement team (综合执法队); the district construction
 * department's officer; a planner and an admin (city office, whole city).
 */
function demoUsers(org: DemoOrganisationView, now: number): DemoUser[] {
  const team = demoTown(org, now);
  const district = team.districtCode!;
  const districts = [...new Set([...org.units.townTeams.values()].map((t) => t.districtCode!))].sort();
  const cityOffice = org.units.coordinationOffices.get(null)!;
  const districtOffice = org.units.coordinationOffices.get(district) ?? cityOffice;
  const construction = org.units.departments.get(departmentKey(district, 'construction'));
  const town = team.townCode;
  return [
    { username: 'admin', displayName: '系统管理员 Administrator', role: 'admin', scopes: [], unitId: cityOffice.id },
    { username: 'district-operator', displayName: `${districtOffice.name.zh} District operator`, role: 'operator', scopes: [district], unitId: districtOffice.id },
    { username: 'city-operator', displayName: '市指挥中心 City operator', role: 'operator', scopes: districts, unitId: cityOffice.id },
    { username: 'town-operator', displayName: `${team.name.zh} Town operator`, role: 'operator', scopes: [town], unitId: team.id },
    { username: 'town-worker', displayName: `${team.name.zh}网格员 Grid worker`, role: 'worker', scopes: [town], unitId: team.id },
    { username: 'town-worker-2', displayName: `${team.name.zh}网格员 Grid worker`, role: 'worker', scopes: [town], unitId: team.id },
    ...(construction
      ? [{ username: 'construction-officer', displayName: `${construction.name.zh} Department officer`, role: 'officer' as const, scopes: [district], unitId: construction.id }]
      : []),
    { username: 'planner', displayName: '分析员 Planner', role: 'planner', scopes: [], unitId: cityOffice.id },
  ];
}

/**
 * Creates the demo users that do not exist yet, with random passwords kept in
 * DATA_DIR/demo-credentials.json (local use only), and returns every demo login the file knows,
 * with its unit, for the start-up banner. Runs after the demo catalogue is seeded (users are
 * bound to its units). An older DATA_DIR keeps its logins and gains the missing users; a
 * username already taken by someone not in the file is left alone.
 */
export async function seedDemoUsers(pool: pg.Pool, dataDir: string, org: DemoOrganisationView, now = Date.now()): Promise<DemoCredential[]> {
  const file = path.join(dataDir, 'demo-credentials.json');
  const stored: StoredCredential[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  const existing = new Map((await listUsers(pool)).map((u) => [u.username, u]));
  const added: StoredCredential[] = [];
  for (const u of demoUsers(org, now)) {
    if (existing.has(u.username)) continue;
    const password = randomSecret(9);
    await createUser(pool, { ...u, password });
    added.push({ username: u.username, password, role: u.role, unitId: u.unitId });
  }
  // Logins of users the database no longer has (a reset database) are stale.
  const all = [...stored.filter((c) => existing.has(c.username)), ...added];
  if (added.length || all.length !== stored.length) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
  }
  return all.map((c) => {
    const unitId = existing.get(c.username)?.unitId ?? c.unitId ?? null;
    return { username: c.username, password: c.password, role: c.role, unitId, unit: unitId ? (org.units.byId.get(unitId)?.name ?? null) : null };
  });
}
