import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { inScope, scopeOf } from '../auth/policy.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { catalogueAt } from './catalogue-at.js';
import { evaluateCatalogue, evaluationOptionsSchema, evaluationRowSchema } from './evaluate.js';
import { unitSchema, type Unit } from './model.js';
import type { CatalogueStore } from './catalogue-store.js';
import { localMidnight } from '../detection/time-window.js';
import { catalogueView, catalogueViewSchema, versionsView, versionViewSchema } from './catalogue-views.js';
import { readClueOutcomes } from './clue-outcomes.js';

const DAY_MS = 86_400_000;
/** A local (Asia/Shanghai) date, or an instant with its offset. */
const when = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const code = z.string().min(1).max(32);

const catalogueQuery = z.object({ at: when.optional().describe('date (local midnight) or date-time; default now') });
const unitsQuery = z.object({
  kind: z.enum(['town-team', 'district-department', 'hub', 'coordination-office', 'custodian', 'utility']).optional(),
  district: code.optional(),
  town: code.optional().describe("a town's team and the hub whose area includes it"),
});
const evaluationQuery = z
  .object({
    from: when.describe('start: a local date (its midnight) or a date-time'),
    to: when.describe('end: a local date (included whole) or a date-time (excluded)'),
    district: code.optional(),
    frequentMin: z.coerce.number().int().positive().optional(),
    rareMax: z.coerce.number().int().nonnegative().optional(),
    minOnTimeRate: z.coerce.number().min(0).max(1).optional(),
    minDue: z.coerce.number().int().positive().optional(),
  })
  .refine((q) => start(q.from) < end(q.to), { message: 'from must be before to', path: ['to'] });

/** The instant a `when` value starts at. */
function start(v: string): number {
  return v.length === 10 ? localMidnight(v) : Date.parse(v);
}

/** The (exclusive) end of a `when` value: a date includes its whole day. */
function end(v: string): number {
  return v.length === 10 ? localMidnight(v) + DAY_MS : Date.parse(v);
}

/** The district of each town, from the town teams and hubs. */
function townDistricts(units: readonly Unit[]): Map<string, string | null> {
  const map = new Map<string, string | null>();
  for (const u of units) if (u.kind === 'town-team' || u.kind === 'hub') map.set(u.townCode, u.districtCode);
  return map;
}

const tag = 'catalogue';

/** Read APIs over the catalogue and units (the catalogue store's tables) and its evaluation. */
export function catalogueReadRoutes(pool: pg.Pool, store: CatalogueStore): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/catalogue',
        tag,
        summary: 'The catalogue in force now or at ?at=: items, with the towns empowered for each, and each town’s items',
        allow: 'catalogue.read',
        query: catalogueQuery,
        response: z.strictObject({ at: z.iso.datetime(), ...catalogueViewSchema.shape }),
        errors: ['GW_NOT_FOUND'],
      },
      ({ query }) => {
        const at = query.at ? start(query.at) : Date.now();
        const snapshot = catalogueAt(store.current().history, at);
        if (!snapshot) throw new GwError('GW_NOT_FOUND', `Reading the catalogue at ${new Date(at).toISOString()}: no version was in force then`);
        return { at: new Date(at).toISOString(), ...catalogueView(snapshot) };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/catalogue/versions',
        tag,
        summary: 'Catalogue version history: effective dates, change notes, items changed, grants and revocations',
        allow: 'catalogue.read',
        response: z.strictObject({ versions: z.array(versionViewSchema) }),
      },
      () => {
        const { versions, history } = store.current();
        return { versions: versionsView(versions, history, catalogueAt(history, Date.now())?.version ?? null) };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/units',
        tag,
        summary: 'Units in service (town teams, departments, hubs, co-ordination offices, custodians, utilities)',
        allow: 'catalogue.read',
        query: unitsQuery,
        response: z.strictObject({ units: z.array(unitSchema) }),
      },
      ({ query: q }) => ({
        units: store.current().units.filter(
          (u) =>
            (!q.kind || u.kind === q.kind) &&
            (!q.district || u.districtCode === q.district) &&
            (!q.town || ((u.kind === 'town-team' || u.kind === 'hub') && u.townCode === q.town) || (u.kind === 'hub' && u.linkedTownCodes.includes(q.town))),
        ),
      }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/catalogue/evaluation',
        tag,
        summary: 'Catalogue evaluation per town and item: clue volume, on-time rate, transfer rate, delegate / take-back candidates (planner, admin)',
        description:
          'Clues opened in the period, judged against the catalogue version in force at its end (or now). A scoped user sees only the towns of their jurisdiction, and asking for a district outside it answers 403 GW_OUT_OF_SCOPE. Thresholds default to those of evaluationOptionsSchema.',
        allow: 'catalogue.evaluate',
        query: evaluationQuery,
        response: z.strictObject({
          from: z.iso.datetime(),
          to: z.iso.datetime(),
          district: z.string().nullable(),
          catalogueVersion: z.number().int().positive(),
          options: evaluationOptionsSchema,
          rows: z.array(evaluationRowSchema.extend({ itemName: z.strictObject({ zh: z.string(), en: z.string() }).nullable() })),
        }),
        errors: ['GW_OUT_OF_SCOPE', 'GW_NOT_FOUND'],
      },
      async ({ user, query: q }) => {
        const scope = scopeOf(user);
        if (q.district && !inScope(scope, [q.district]))
          throw new GwError('GW_OUT_OF_SCOPE', `Evaluating district ${q.district}: outside ${user.username}'s jurisdiction (${user.scopes.join(', ') || 'none'})`);
        const period = { from: start(q.from), to: end(q.to) };
        const now = Date.now();
        const { history, units } = store.current();
        const snapshot = catalogueAt(history, Math.min(period.to - 1, now));
        if (!snapshot) throw new GwError('GW_NOT_FOUND', `Evaluating ${q.from} to ${q.to}: no catalogue version was in force then`);
        const districts = townDistricts(units);
        // A town is shown when it lies in the asked district and in the caller's jurisdiction.
        const shown = (town: string, district: string | null | undefined) => (!q.district || district === q.district) && inScope(scope, [town, district]);
        const outcomes = (await readClueOutcomes(pool, period, q.district ?? null)).filter((o) => o.townCode !== null && shown(o.townCode, o.districtCode));
        const options = evaluationOptionsSchema.parse({ frequentMin: q.frequentMin, rareMax: q.rareMax, minOnTimeRate: q.minOnTimeRate, minDue: q.minDue });
        const rows = evaluateCatalogue(outcomes, snapshot, period, now, options).filter((row) => shown(row.townCode, districts.get(row.townCode)));
        return {
          from: new Date(period.from).toISOString(),
          to: new Date(period.to).toISOString(),
          district: q.district ?? null,
          catalogueVersion: snapshot.version,
          options,
          // The item's name as the version judged by has it, so planners read words, not codes.
          rows: rows.map((row) => {
            const name = snapshot.items[row.itemCode]?.name;
            return { ...row, itemName: name ? { zh: name.zh, en: name.en } : null };
          }),
        };
      },
    ),
  ];
}
