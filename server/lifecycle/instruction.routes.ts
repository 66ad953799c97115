import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type Route } from '../http/define-route.js';
import type { UnitDirectory } from '../catalogue/units.js';
import {
  findVisibleInstruction,
  INSTRUCTION_STATUSES,
  instructionCountsSchema,
  instructionEventSchema,
  instructionViewSchema,
  issueInstruction,
  issueInstructionSchema,
  listInstructions,
  respondToInstruction,
} from './instructions.js';

const idParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const listQuery = z.object({
  /** One status or several, comma-separated. */
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(INSTRUCTION_STATUSES)))
    .optional(),
  unit: z.string().min(1).max(64).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const SCOPE_NOTE = 'Only instructions whose subject lies in the caller’s jurisdiction, or addressed to the caller’s unit; others answer 404 GW_INSTRUCTION_NOT_FOUND, as an unknown id.';
const tag = 'instructions';

/** What the instruction routes need besides the pool: the units, the clock and the warning share. */
export interface InstructionRouteDeps {
  units: () => UnitDirectory;
  now?: () => number;
  warningShare?: number;
}

/** Instructions (指令单) under /api/v1/instructions: issue, list, read, acknowledge, answer. */
export function instructionRoutes(pool: pg.Pool, d: InstructionRouteDeps): Route[] {
  const now = d.now ?? Date.now;
  return [
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/instructions',
        tag,
        summary: 'Issue an instruction to a unit about a clue, a jurisdiction or a drawn area, with a due time',
        description:
          'Operators (and admins) within their scope: the subject must be a clue they can see, a jurisdiction in their scope or an area inside it; the unit one of their district (or a city-level unit). The scheduler warns at 80 % of the time and marks it overdue at the due time.',
        allow: 'instructions.issue',
        body: issueInstructionSchema,
        response: instructionViewSchema,
        status: 201,
        errors: ['GW_INSTRUCTION_INVALID', 'GW_CLUE_NOT_FOUND'],
      },
      ({ user, body }) => issueInstruction(pool, d.units(), user, body, { now: now(), warningShare: d.warningShare ?? 0.8 }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/instructions',
        tag,
        summary: 'Instructions in your jurisdiction or addressed to your unit, newest first, with counts',
        description: 'Filters: status (comma-separated), unit (the unit addressed), overdue. Counts follow the filters, not limit and offset.',
        allow: 'instructions.read',
        query: listQuery,
        response: z.strictObject({ instructions: z.array(instructionViewSchema), counts: instructionCountsSchema, limit: z.number().int(), offset: z.number().int() }),
      },
      async ({ user, query }) => ({ ...(await listInstructions(pool, user, query)), limit: query.limit, offset: query.offset }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/instructions/:id',
        tag,
        summary: 'One instruction with its events',
        description: SCOPE_NOTE,
        allow: 'instructions.read',
        params: idParam,
        response: z.strictObject({ instruction: instructionViewSchema, events: z.array(instructionEventSchema) }),
        errors: ['GW_INSTRUCTION_NOT_FOUND'],
      },
      ({ user, params }) => findVisibleInstruction(pool, user, params.id),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/instructions/:id/acknowledge',
        tag,
        summary: 'Acknowledge an instruction (签收): people of the unit addressed',
        description: SCOPE_NOTE,
        allow: 'instructions.respond',
        params: idParam,
        response: instructionViewSchema,
        errors: ['GW_INSTRUCTION_NOT_FOUND', 'GW_INSTRUCTION_FORBIDDEN', 'GW_INSTRUCTION_STATE'],
      },
      ({ user, params }) => respondToInstruction(pool, user, params.id, { type: 'acknowledge' }, now()),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/instructions/:id/answer',
        tag,
        summary: 'Answer an acknowledged instruction (回复): people of the unit addressed',
        description: SCOPE_NOTE,
        allow: 'instructions.respond',
        params: idParam,
        body: z.strictObject({ answer: z.string().trim().min(1).max(5000) }),
        response: instructionViewSchema,
        errors: ['GW_INSTRUCTION_NOT_FOUND', 'GW_INSTRUCTION_FORBIDDEN', 'GW_INSTRUCTION_STATE'],
      },
      ({ user, params, body }) => respondToInstruction(pool, user, params.id, { type: 'answer', answer: body.answer }, now()),
    ),
  ];
}
