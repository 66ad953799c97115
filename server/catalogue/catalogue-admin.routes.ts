import { z } from 'zod';
import { describeIssues, GwError } from '../../core/errors.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { parseEmpowermentCsv, parseItemsCsv } from './import.js';
import { catalogueDataSchema, catalogueVersionSchema, unitSchema, type CatalogueVersion } from './model.js';
import { parseInput } from '../../core/validate.js';
import type { CatalogueStore } from './catalogue-store.js';

const csvImportBody = z.object({
  version: z.number().int().positive(),
  effectiveFrom: z.iso.date(),
  note: z.object({ zh: z.string().min(1), en: z.string().min(1) }),
  /** Items added or changed by the version (columns `ITEM_CSV_COLUMNS`). */
  itemsCsv: z.string().max(2_000_000).optional(),
  /** Empowerment granted or taken back: `town_code,item_code,action` (grant | revoke). */
  empowermentCsv: z.string().max(2_000_000).optional(),
  /** Item codes the version withdraws (checked by the version schema). */
  withdrawn: z.array(z.string().min(1)).default([]),
});
const importQuery = z.object({ format: z.enum(['json', 'csv']).default('json') });
/**
 * The body of an import: the JSON file or one version from CSV. When it is neither, the
 * problems named are those of the kind it looks like (with `versions` or `units`, JSON).
 */
const importBody = z.union([catalogueDataSchema, csvImportBody], {
  error: (iss) => {
    if (iss.code !== 'invalid_union') return undefined;
    const json = typeof iss.input === 'object' && iss.input !== null && ('versions' in iss.input || 'units' in iss.input);
    return `${json ? 'a JSON import {versions, units}' : 'a CSV import {version, effectiveFrom, note, itemsCsv?, empowermentCsv?, withdrawn?}'}: ${describeIssues(iss.errors[json ? 0 : 1] ?? []).join('; ')}`;
  },
});
const unitsBody = z.object({ units: z.array(unitSchema).min(1).max(20_000), replace: z.boolean().default(false) });

/** The version described by a CSV import, parsed by the catalogue's CSV readers. */
function versionFromCsv(body: z.infer<typeof csvImportBody>): CatalogueVersion {
  const items = body.itemsCsv === undefined ? { ok: true as const, value: [] } : parseItemsCsv(body.itemsCsv);
  const empowerment = body.empowermentCsv === undefined ? { ok: true as const, value: { grants: [], revocations: [] } } : parseEmpowermentCsv(body.empowermentCsv);
  const problems = [
    ...(items.ok ? [] : items.problems.map((p) => `itemsCsv ${p}`)),
    ...(empowerment.ok ? [] : empowerment.problems.map((p) => `empowermentCsv ${p}`)),
  ];
  if (!items.ok || !empowerment.ok)
    throw new GwError('GW_CATALOGUE_INVALID', `Importing catalogue version ${body.version} from CSV: ${problems.join('; ')}`, { problems });
  return parseInput(catalogueVersionSchema, {
    version: body.version,
    effectiveFrom: body.effectiveFrom,
    note: body.note,
    items: items.value,
    withdrawn: body.withdrawn,
    ...empowerment.value,
  }, 'the catalogue version read from CSV');
}

/** What an import added: each new version with the size of its change. */
const addedSchema = z.array(
  z.strictObject({
    version: z.number().int().positive(),
    effectiveFrom: z.iso.date(),
    items: z.number().int().nonnegative(),
    grants: z.number().int().nonnegative(),
    revocations: z.number().int().nonnegative(),
  }),
);
const latestVersion = z.number().int().positive().nullable();

const summary = (versions: CatalogueVersion[]): z.infer<typeof addedSchema> =>
  versions.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom, items: v.items.length, grants: v.grants.length, revocations: v.revocations.length }));

const tag = 'catalogue';

/** Catalogue and unit administration (admin): imports. The read endpoints live elsewhere. */
export function catalogueAdminRoutes(store: CatalogueStore): Route[] {
  const latest = () => store.current().versions.at(-1)?.version ?? null;
  return [
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/catalogue/versions',
        tag,
        summary: 'Add one catalogue version (admin)',
        description:
          'A change on the latest version: items added or changed, items withdrawn, empowerment granted and taken back, effective from local midnight of effectiveFrom. The whole history is validated again; re-posting a stored version unchanged is harmless (200, nothing added).',
        allow: 'catalogue.manage',
        body: catalogueVersionSchema,
        status: 201,
        otherStatuses: [200],
        response: z.strictObject({ added: addedSchema, latestVersion }),
        errors: ['GW_CATALOGUE_VERSION_CONFLICT', 'GW_CATALOGUE_INVALID'],
      },
      async ({ user, body, setStatus }) => {
        const added = await store.appendVersions([body], 'json', user.username);
        if (!added.length) setStatus(200);
        return { added: summary(added), latestVersion: latest() };
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/catalogue/import',
        tag,
        summary: 'Import a catalogue: JSON {versions, units} or one version from CSV (admin)',
        description:
          'format=json (default): the body is {versions, units}, as exported; stored versions must be unchanged, new ones are appended, units are inserted or replaced by id. format=csv: the body is {version, effectiveFrom, note, itemsCsv?, empowermentCsv?, withdrawn?}, read by the same parsers as the demo items.csv. 201 when something was added, 200 when every version was already stored.',
        allow: 'catalogue.manage',
        query: importQuery,
        body: importBody,
        status: 201,
        otherStatuses: [200],
        response: z.strictObject({ added: addedSchema, units: z.number().int().nonnegative(), latestVersion }),
        errors: ['GW_CATALOGUE_VERSION_CONFLICT', 'GW_CATALOGUE_INVALID'],
      },
      async ({ user, query, body, setStatus }) => {
        const json = 'versions' in body;
        if (json !== (query.format === 'json'))
          throw new GwError(
            'GW_VALIDATION',
            `Importing a catalogue with format=${query.format}: the body is ${json ? 'a JSON import {versions, units}; send it with format=json' : 'one version for CSV import; send it with format=csv'}`,
          );
        const { added, units } = json ? await store.importData(body, 'json', user.username) : { added: await store.appendVersions([versionFromCsv(body)], 'csv', user.username), units: 0 };
        if (!added.length) setStatus(200);
        return { added: summary(added), units, latestVersion: latest() };
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/units',
        tag,
        summary: 'Import units: inserted or replaced by id; with replace, the others are retired (admin)',
        allow: 'catalogue.manage',
        body: unitsBody,
        response: z.strictObject({ imported: z.number().int().nonnegative(), retired: z.number().int().nonnegative() }),
        errors: ['GW_CATALOGUE_INVALID'],
      },
      ({ body }) => store.importUnits(body.units, { replace: body.replace }),
    ),
  ];
}
