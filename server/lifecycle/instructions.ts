import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { inScope, scopeOf, scopeSqlParams, type Scope } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import type { UnitDirectory } from '../catalogue/units.js';
import { findVisibleClue } from '../clues/clue-queries.js';
import { calendarAround } from './calendar-store.js';
import { planDeadline, type PlannedStep } from './deadline-policy.js';

const sql = defineQueries(import.meta.url, {
  insert: 'insert-instruction',
  find: 'find-instruction',
  lock: 'lock-instruction',
  list: 'list-instructions',
  count: 'count-instructions',
  respond: 'respond-instruction',
  events: 'instruction-events',
  insertEvents: 'insert-instruction-events',
  chain: 'jurisdiction-chain',
  areaPlaces: 'area-places',
});

/** Instruction statuses: issued (下达) → acknowledged (签收) → answered (回复). */
export const INSTRUCTION_STATUSES = ['issued', 'acknowledged', 'answered'] as const;
export type InstructionStatus = (typeof INSTRUCTION_STATUSES)[number];

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const ring = z
  .array(position)
  .min(4)
  .max(10_000)
  .refine((r) => r[0]![0] === r.at(-1)![0] && r[0]![1] === r.at(-1)![1], 'a ring must end where it starts');
/** A drawn area: a GeoJSON Polygon or MultiPolygon in WGS84. */
const areaSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1).max(100) }),
  z.strictObject({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1).max(100)).min(1).max(100) }),
]);

/** What an instruction is about: a clue, a jurisdiction (district, town or community) or a drawn area. */
export const instructionSubjectSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('clue'), clueCode: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('jurisdiction'), code: z.string().min(1).max(32) }),
  z.strictObject({ kind: z.literal('area'), area: areaSchema }),
]);

/** An instruction as an operator issues it. */
export const issueInstructionSchema = z.strictObject({
  targetUnitId: z.string().min(1).max(64),
  subject: instructionSubjectSchema,
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(5000),
  /** When the unit must have answered, ISO 8601. */
  dueAt: z.iso.datetime({ offset: true }),
});
export type IssueInstruction = z.infer<typeof issueInstructionSchema>;

const isoTime = z.iso.datetime();

/** One event of an instruction: issued, acknowledged, answered, or a deadline step (actor 'system'). */
export const instructionEventSchema = z.strictObject({
  at: isoTime,
  actor: z.string(),
  action: z.enum(['issued', 'acknowledged', 'answered', 'deadline.warning', 'deadline.overdue']),
  detail: z.record(z.string(), z.unknown()),
});

/** An instruction (指令单) as the API shows it. */
export const instructionViewSchema = z
  .strictObject({
    id: z.number().int(),
    status: z.enum(INSTRUCTION_STATUSES),
    title: z.string(),
    body: z.string(),
    targetUnitId: z.string(),
    subject: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('clue'), clueCode: z.string() }),
      z.strictObject({ kind: z.literal('jurisdiction'), code: z.string() }),
      z.strictObject({ kind: z.literal('area'), area: z.record(z.string(), z.unknown()) }),
    ]),
    /** The districts and towns the subject lies in (who may see it). */
    placeCodes: z.array(z.string()),
    issuedBy: z.string(),
    issuedAt: isoTime,
    dueAt: isoTime,
    acknowledgedAt: isoTime.nullable(),
    acknowledgedBy: z.string().nullable(),
    answeredAt: isoTime.nullable(),
    answeredBy: z.string().nullable(),
    answer: z.string().nullable(),
    /** A share of the time had passed unanswered (预警). */
    warned: z.boolean(),
    /** The due time passed unanswered (超期). */
    overdue: z.boolean(),
  })
  .meta({ id: 'InstructionView' });
export type InstructionView = z.infer<typeof instructionViewSchema>;

/** An instruction row as find-instruction.sql and list-instructions.sql return it. */
export interface InstructionRow {
  id: string | number;
  issued_by: string;
  issued_at: Date;
  target_unit_id: string;
  subject_kind: 'clue' | 'jurisdiction' | 'area';
  clue_code: string | null;
  jurisdiction_code: string | null;
  area: Record<string, unknown> | null;
  place_codes: string[];
  title: string;
  body: string;
  due_at: Date;
  status: InstructionStatus;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  answered_at: Date | null;
  answered_by: string | null;
  answer: string | null;
  deadline_plan: PlannedStep[];
  deadline_done: string[];
}

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** The API view of an instruction row. */
export function instructionView(r: InstructionRow): InstructionView {
  const subject: InstructionView['subject'] =
    r.subject_kind === 'clue' ? { kind: 'clue', clueCode: r.clue_code! } : r.subject_kind === 'jurisdiction' ? { kind: 'jurisdiction', code: r.jurisdiction_code! } : { kind: 'area', area: r.area! };
  return {
    id: Number(r.id),
    status: r.status,
    title: r.title,
    body: r.body,
    targetUnitId: r.target_unit_id,
    subject,
    placeCodes: r.place_codes,
    issuedBy: r.issued_by,
    issuedAt: r.issued_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    answeredAt: isoOrNull(r.answered_at),
    answeredBy: r.answered_by,
    answer: r.answer,
    warned: r.deadline_done.includes('answer.warning'),
    overdue: r.deadline_done.includes('answer.overdue'),
  };
}

/** One instruction event to append (`at` in ms). */
export interface InstructionEventRow {
  instruction_id: number;
  at: number;
  actor: string;
  action: z.infer<typeof instructionEventSchema>['action'];
  detail: Record<string, unknown>;
}

/** Appends instruction events on the caller's transaction. */
export async function appendInstructionEvents(client: pg.PoolClient, events: readonly InstructionEventRow[]): Promise<void> {
  if (events.length) await client.query(sql.insertEvents, [JSON.stringify(events)]);
}

/** An instruction row by id on `db` (the scheduler reads it after locking). */
export async function instructionRow(db: pg.Pool | pg.PoolClient, id: number): Promise<InstructionRow | null> {
  const { rows } = await db.query<InstructionRow>(sql.find, [id]);
  return rows[0] ?? null;
}

const notFound = (id: number) => new GwError('GW_INSTRUCTION_NOT_FOUND', `Looking up instruction ${id}: no such instruction`);

/** Whether a user may see an instruction: its place is in their scope, or it is addressed to their unit. */
function canSeeInstruction(scope: Scope, r: Pick<InstructionRow, 'place_codes' | 'target_unit_id'>): boolean {
  return inScope(scope, r.place_codes) || (scope.unitId !== null && scope.unitId === r.target_unit_id);
}

/** The district and town codes of a subject, checked against the issuer's scope; out of scope reads as unknown. */
async function subjectPlaces(client: pg.PoolClient, user: User, scope: Scope, subject: IssueInstruction['subject']): Promise<{ codes: string[]; clueId: number | null }> {
  switch (subject.kind) {
    case 'clue': {
      const clue = await findVisibleClue(client, user, subject.clueCode);
      return { codes: [clue.districtCode, clue.townCode].filter((c): c is string => c !== null), clueId: clue.id };
    }
    case 'jurisdiction': {
      const { rows } = await client.query<{ code: string; level: string }>(sql.chain, [subject.code]);
      if (!rows.length || !inScope(scope, rows.map((r) => r.code)))
        throw new GwError('GW_INSTRUCTION_INVALID', `Issuing an instruction about jurisdiction ${subject.code}: no such jurisdiction in your scope`);
      return { codes: rows.filter((r) => r.level !== 'community').map((r) => r.code), clueId: null };
    }
    case 'area': {
      const { rows } = await client.query<{ valid: boolean; code: string | null; level: string | null; parent_code: string | null }>(sql.areaPlaces, [JSON.stringify(subject.area)]);
      if (!rows[0]?.valid) throw new GwError('GW_INSTRUCTION_INVALID', 'Issuing an instruction about an area: the polygon is not valid (self-intersecting rings?)');
      const places = rows.filter((r) => r.code !== null);
      const towns = places.filter((r) => r.level === 'town');
      const districts = places.filter((r) => r.level === 'district');
      // Each part of the area must be the issuer's: every town it overlaps (by the town or its district), or every district.
      const covered = towns.length ? towns.every((t) => inScope(scope, [t.code, t.parent_code])) : districts.length > 0 && districts.every((d) => inScope(scope, [d.code]));
      if (!covered) throw new GwError('GW_INSTRUCTION_INVALID', 'Issuing an instruction about an area: the area is not within your jurisdiction');
      return { codes: [...new Set(places.map((r) => r.code!))].sort(), clueId: null };
    }
  }
}

/**
 * Issues an instruction (指令单下达): an operator (or admin) about a clue they can see, a
 * jurisdiction in their scope or an area inside it, to a unit of their district (or a city-level
 * unit), due in the future. Its warning and overdue steps are planned now for the scheduler.
 */
export async function issueInstruction(
  pool: pg.Pool,
  units: UnitDirectory,
  user: User,
  input: IssueInstruction,
  opts: { now: number; warningShare: number },
): Promise<InstructionView> {
  const scope = scopeOf(user);
  const dueAt = Date.parse(input.dueAt);
  if (dueAt <= opts.now) throw new GwError('GW_INSTRUCTION_INVALID', `Issuing an instruction due ${input.dueAt}: the due time has passed`);
  const id = await withTransaction(pool, async (client) => {
    // The subject first: a clue out of scope answers as an unknown one, whatever the unit.
    const { codes, clueId } = await subjectPlaces(client, user, scope, input.subject);
    const unit = units.byId.get(input.targetUnitId);
    if (!unit || (unit.districtCode !== null && !inScope(scope, [unit.districtCode, 'townCode' in unit ? unit.townCode : null])))
      throw new GwError('GW_INSTRUCTION_INVALID', `Issuing an instruction to ${input.targetUnitId}: no such unit in your scope`);
    const steps = planDeadline(await calendarAround(client, opts.now), 'answer', opts.now, dueAt, { warningShare: opts.warningShare });
    const { rows } = await client.query<{ id: string }>(sql.insert, [
      user.username,
      opts.now,
      unit.id,
      input.subject.kind,
      clueId,
      input.subject.kind === 'jurisdiction' ? input.subject.code : null,
      input.subject.kind === 'area' ? JSON.stringify(input.subject.area) : null,
      codes,
      input.title,
      input.body,
      dueAt,
      JSON.stringify(steps),
      Math.min(...steps.map((s) => s.at)),
    ]);
    const id = Number(rows[0]!.id);
    await appendInstructionEvents(client, [{ instruction_id: id, at: opts.now, actor: user.username, action: 'issued', detail: { targetUnitId: unit.id, dueAt: new Date(dueAt).toISOString() } }]);
    return id;
  });
  return instructionView((await instructionRow(pool, id))!);
}

/**
 * A unit's response to an instruction: acknowledge (签收) an issued one, answer (回复) an
 * acknowledged one. Only people of the target unit respond (GW_INSTRUCTION_FORBIDDEN); an
 * instruction the user cannot see answers GW_INSTRUCTION_NOT_FOUND as an unknown id would.
 */
export async function respondToInstruction(
  pool: pg.Pool,
  user: User,
  id: number,
  response: { type: 'acknowledge' } | { type: 'answer'; answer: string },
  now: number,
): Promise<InstructionView> {
  await withTransaction(pool, async (client) => {
    const { rows: locked } = await client.query(sql.lock, [id]);
    const row = locked.length ? await instructionRow(client, id) : null;
    if (!row || !canSeeInstruction(scopeOf(user), row)) throw notFound(id);
    if (user.unitId !== row.target_unit_id)
      throw new GwError('GW_INSTRUCTION_FORBIDDEN', `${user.username} may not ${response.type} instruction ${id}: it is addressed to ${row.target_unit_id}`);
    const from: InstructionStatus = response.type === 'acknowledge' ? 'issued' : 'acknowledged';
    if (row.status !== from) throw new GwError('GW_INSTRUCTION_STATE', `Cannot ${response.type} instruction ${id} while it is ${row.status}`);
    const to: InstructionStatus = response.type === 'acknowledge' ? 'acknowledged' : 'answered';
    const answer = response.type === 'answer' ? response.answer : null;
    await client.query(sql.respond, [id, to, now, user.username, answer]);
    await appendInstructionEvents(client, [{ instruction_id: id, at: now, actor: user.username, action: to, detail: answer === null ? {} : { answer } }]);
  });
  return instructionView((await instructionRow(pool, id))!);
}

/** One instruction the user may see, with its events. */
export async function findVisibleInstruction(pool: pg.Pool, user: User, id: number): Promise<{ instruction: InstructionView; events: z.infer<typeof instructionEventSchema>[] }> {
  const row = await instructionRow(pool, id);
  if (!row || !canSeeInstruction(scopeOf(user), row)) throw notFound(id);
  const { rows } = await pool.query<{ at: Date; actor: string; action: InstructionEventRow['action']; detail: Record<string, unknown> }>(sql.events, [id]);
  return { instruction: instructionView(row), events: rows.map((e) => ({ ...e, at: e.at.toISOString() })) };
}

/** List filters. */
export interface InstructionFilter {
  status?: InstructionStatus[];
  unit?: string;
  overdue?: boolean;
  limit: number;
  offset: number;
}

/** Counts of a list, by status, and how many are overdue. */
export const instructionCountsSchema = z.strictObject({
  total: z.number().int(),
  issued: z.number().int(),
  acknowledged: z.number().int(),
  answered: z.number().int(),
  overdue: z.number().int(),
});

/** The instructions the user may see that match the filter, newest first, with counts. */
export async function listInstructions(pool: pg.Pool, user: User, f: InstructionFilter): Promise<{ instructions: InstructionView[]; counts: z.infer<typeof instructionCountsSchema> }> {
  const params = [...scopeSqlParams(scopeOf(user)), f.status ?? null, f.unit ?? null, f.overdue ?? null];
  const [list, counts] = [await pool.query<InstructionRow>(sql.list, [...params, f.limit, f.offset]), await pool.query(sql.count, params)];
  return { instructions: list.rows.map(instructionView), counts: counts.rows[0] };
}
