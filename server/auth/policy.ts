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
  /** Issue instructions (指令单) to units: command-centre operators, within their scope. */
  'instructions.issue': ['admin', 'operator'],
  /** List and read instructions (within scope, or addressed to one's unit). */
  'instructions.read': EVERYONE,
  /** Acknowledge and answer instructions (people of the unit addressed; checked per instruction). */
  'instructions.respond': ['admin', 'operator', 'officer', 'worker'],
  /** The warnings list (预警单): clues and instructions due soon, overdue, escalated (within scope). */
  'warnings.read': EVERYONE,
  /** Read the working-day calendar (holidays, 调休 workdays). */
  'calendar.read': EVERYONE,
  /** Import a year of the working-day calendar. */
  'calendar.manage': ['admin'],
  /** Read the daily digests that seal the record (timeline_digests). */
  'record.read': ['admin', 'planner'],
  /**
   * Attach photo evidence to a clue: command-centre operators in scope, and the workers and
   * officers of the unit the clue is assigned to (`canAttachEvidence`).
   */
  'evidence.upload': ['admin', 'operator', 'officer', 'worker'],
  /** Efficiency figures per unit and town (within scope). */
  'efficiency.read': ['planner', 'operator', 'admin'],
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

/** Grid workers (网格员) of a unit: they may close at source (源头化解) what their unit holds. */
export function isGridWorker(role: Role): boolean {
  return role === 'worker';
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

/**
 * The scope as a query over areas (boundaries, grid cells, zones) receives it: `$1` whole city,
 * `$2` the scope codes. An area is in scope when it or one of its parents is a scope code (a zone
 * when it overlaps such an area). The unit clause of `canSeePlace` has no part here: a unit holds
 * clues, not territory, so a user with a unit and no codes sees no areas.
 */
export function areaScopeSqlParams(scope: Scope): [boolean, string[]] {
  return [scope.wholeCity, [...scope.codes]];
}

/**
 * Whether a user may attach evidence to a clue they can see (`canSeePlace`): the command centre
 * (operators, admins) for any clue in scope; a worker or officer only for a clue assigned to
 * their own unit (the unit that handles it takes the photos, 现场取证).
 */
export function canAttachEvidence(user: { role: Role; unitId: string | null }, clue: { primaryUnitId: string }): boolean {
  if (!can(user.role, 'evidence.upload')) return false;
  return isCommand(user.role) || (user.unitId !== null && user.unitId === clue.primaryUnitId);
}
