import type { Role, User } from './users.js';

/**
 * The one policy module: which roles may take which action (role × action), and which part of
 * the city a user may see and act in (scope). Routes name their action in `defineRoute`
 * (`allow`), stores receive the scope as SQL parameters (`scopeSqlParams`), and pure cores ask
 * `inScope` / `canSeePlace`. Nothing else decides who may do what. Roles are those of
 * docs/DOMAIN.md §2 (command-centre operator, grid worker, department officer, planner, admin).
 */
const EVERYONE: readonly Role[] = ['admin', 'operator', 'worker', 'officer', 'planner'];

/** Role × action: the roles allowed to take each action. */
export const PERMISSIONS = {
  /** Own session and what every screen needs: logout, "who am I", map configuration. */
  session: EVERYONE,
  /** Locate a point; read boundaries and zones. */
  'geo.read': EVERYONE,
  /** Import, list and activate boundary and grid files. */
  'geo.import': ['admin'],
  /** Read the catalogue, its versions and the units. */
  'catalogue.read': EVERYONE,
  /** Import catalogue versions and units. */
  'catalogue.manage': ['admin'],
  /** Evaluate the catalogue against the clues (delegate / take back, 赋权评估). */
  'catalogue.evaluate': ['planner', 'admin'],
  /** List and read clues (within scope). */
  'clues.read': EVERYONE,
  /** Take lifecycle actions on clues (which ones, per status, is the lifecycle table's). */
  'clues.act': ['admin', 'operator', 'officer', 'worker'],
  /** Go on and off duty and report the phone's position (grid workers, DESIGN §6). */
  'duty.report': ['worker'],
  /** Users, devices, dead letters and webhooks. */
  'users.manage': ['admin'],
  'devices.manage': ['admin'],
  'dead-letters.manage': ['admin'],
  'webhooks.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

/** An action a route or a core asks permission for. */
export type Permission = keyof typeof PERMISSIONS;

/** Whether `role` may take `action` at all (scope is checked separately). */
export function can(role: Role, action: Permission): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** Roles that act for a command centre (指挥中心): dispatch, transfer, verify, close … */
export function isCommand(role: Role): boolean {
  return role === 'operator' || role === 'admin';
}

/** The part of the city a user may see and act in. */
export interface Scope {
  /** No jurisdiction limit: an admin or planner without scope codes. */
  wholeCity: boolean;
  /** Jurisdiction codes (district, town, community or grid) the user holds. */
  codes: readonly string[];
  /** The user's unit: it sees what it is assigned, told about or shown, wherever it is. */
  unitId: string | null;
}

/** A user's scope. Admins and planners with no scope codes see the whole city; others need codes. */
export function scopeOf(user: Pick<User, 'role' | 'scopes' | 'unitId'>): Scope {
  return { wholeCity: user.scopes.length === 0 && (user.role === 'admin' || user.role === 'planner'), codes: user.scopes, unitId: user.unitId };
}

/** True when one of `codes` (a place's district, town, community or grid) is in the scope. */
export function inScope(scope: Scope, codes: ReadonlyArray<string | null | undefined>): boolean {
  return scope.wholeCity || codes.some((c) => c != null && scope.codes.includes(c));
}

/** Where something is and which units it concerns, for `canSeePlace`. */
export interface Placed {
  codes: ReadonlyArray<string | null | undefined>;
  unitIds: ReadonlyArray<string>;
}

/**
 * Whether a user with `scope` may see (and so act on) something: its place is in the scope, or
 * it concerns the user's unit. The second clause lets a city-level unit such as a bridge
 * custodian, whose officers hold no district, see its own clues.
 */
export function canSeePlace(scope: Scope, placed: Placed): boolean {
  return inScope(scope, placed.codes) || (scope.unitId !== null && placed.unitIds.includes(scope.unitId));
}

/**
 * The scope as SQL receives it, always as the first three parameters of a scoped query:
 * `$1` whole city, `$2` the scope codes, `$3` the unit. The query applies the same rule as
 * `canSeePlace`.
 */
export function scopeSqlParams(scope: Scope): [boolean, string[], string | null] {
  return [scope.wholeCity, [...scope.codes], scope.unitId];
}
