import { z } from 'zod';
import { DEVICE_KINDS } from '../../ingest/device-event.js';
import { CLUE_STATUSES } from '../clues/clue.js';
import { ALERT_TYPES, SEVERITIES } from '../detection/alert.js';
import { REASON_RULES } from '../routing/route-clue.js';
import type { ClueView } from '../clues/stored-clue.js';

/**
 * What the web UI relies on by name, published under `components.schemas` of the OpenAPI
 * document so that `npm run api:types` gives web/src/api-types.ts the same names: the web
 * imports these types instead of copying lists of statuses and severities.
 */

/** Clue statuses (线索状态), as `server/clues/clue.ts` lists them. */
export const clueStatusSchema = z.enum(CLUE_STATUSES).meta({ id: 'ClueStatus' });

/** Alert and clue severities, lowest first. */
export const severitySchema = z.enum(SEVERITIES).meta({ id: 'Severity' });

const text = z.object({ zh: z.string(), en: z.string() });

/** A clue as the API shows it and outbound events carry it: `clueView` of server/clues/stored-clue.ts. */
export const clueViewSchema = z
  .object({
    code: z.string(),
    status: clueStatusSchema,
    severity: severitySchema,
    needsConfirmation: z.boolean(),
    review: z.boolean(),
    item: z.object({ code: z.string(), name: text.nullable() }).nullable(),
    alertType: z.enum(ALERT_TYPES),
    assetKey: z.string(),
    catalogueVersion: z.number().int().nullable(),
    alertCount: z.number().int(),
    firstSeen: z.iso.datetime(),
    lastSeen: z.iso.datetime(),
    openedAt: z.iso.datetime(),
    deadline: z.iso.datetime(),
    windowMin: z.number(),
    primaryUnitId: z.string(),
    coNotifiedUnitIds: z.array(z.string()),
    boardUnitIds: z.array(z.string()),
    districtCode: z.string().nullable(),
    townCode: z.string().nullable(),
    communityCode: z.string().nullable(),
    gridCode: z.string().nullable(),
    position: z.object({ lon: z.number(), lat: z.number() }),
    device: z.object({ id: z.string(), kind: z.enum(DEVICE_KINDS) }).nullable(),
    summary: text,
    reasons: z.array(z.object({ rule: z.enum(REASON_RULES), zh: z.string(), en: z.string() })),
    rejectedBy: z.array(z.string()),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'ClueView' });

/** The compiler checks that the schema and `clueView` agree, field for field, both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type ClueViewSchemaAgrees = Holds<Same<z.infer<typeof clueViewSchema>, ClueView>>;

/** The named schemas of the web's contract, for `openApiDocument`. */
export const WEB_SCHEMAS: readonly z.ZodType[] = [clueViewSchema, clueStatusSchema, severitySchema];
