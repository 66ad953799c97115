import { Router } from 'express';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { currentUser, requireRole } from '../auth/middleware.js';
import { parseEmpowermentCsv, parseItemsCsv } from '../catalogue/import.js';
import { catalogueDataSchema, catalogueVersionSchema, unitSchema, type CatalogueVersion } from '../catalogue/model.js';
import { parseInput, parseQuery } from '../http/validate.js';
import { registerPath } from '../openapi.js';
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
const unitsBody = z.object({ units: z.array(unitSchema).min(1).max(20_000), replace: z.boolean().default(false) });

registerPath({
  method: 'post',
  path: '/api/v1/catalogue/versions',
  tag: 'catalogue',
  summary: 'Add one catalogue version (admin)',
  description:
    'A change on the latest version: items added or changed, items withdrawn, empowerment granted and taken back, effective from local midnight of effectiveFrom. The whole history is validated again; re-posting a stored version unchanged is harmless.',
  body: catalogueVersionSchema,
  responses: { '201': 'Stored', '409': 'The version exists with other content or does not follow the latest', '422': 'The history with it is invalid' },
});
registerPath({
  method: 'post',
  path: '/api/v1/catalogue/import',
  tag: 'catalogue',
  summary: 'Import a catalogue: JSON {versions, units} or one version from CSV (admin)',
  description:
    'format=json (default): the body is {versions, units}, as exported; stored versions must be unchanged, new ones are appended, units are inserted or replaced by id. format=csv: the body is {version, effectiveFrom, note, itemsCsv?, empowermentCsv?, withdrawn?}, read by the same parsers as the demo items.csv.',
  query: importQuery,
  body: z.union([catalogueDataSchema, csvImportBody]),
  responses: { '201': 'Stored', '409': 'A version exists with other content', '422': 'The history or the units are invalid' },
});
registerPath({
  method: 'post',
  path: '/api/v1/units',
  tag: 'catalogue',
  summary: 'Import units: inserted or replaced by id; with replace, the others are retired (admin)',
  body: unitsBody,
  responses: { '422': 'The units as they would stand are invalid' },
});

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

const summary = (versions: CatalogueVersion[]) =>
  versions.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom, items: v.items.length, grants: v.grants.length, revocations: v.revocations.length }));

/** Catalogue and unit administration (admin): imports. The read endpoints live elsewhere. */
export function catalogueAdminRoutes(store: CatalogueStore): Router {
  const r = Router();
  const admin = requireRole('admin');
  r.post('/api/v1/catalogue/versions', admin, async (req, res) => {
    const version = parseInput(catalogueVersionSchema, req.body, 'the catalogue version');
    const added = await store.appendVersions([version], 'json', currentUser(req).username);
    res.status(added.length ? 201 : 200).json({ added: summary(added), latestVersion: store.current().versions.at(-1)?.version ?? null });
  });
  r.post('/api/v1/catalogue/import', admin, async (req, res) => {
    const { format } = parseQuery(importQuery, req.query, 'the catalogue import query');
    const by = currentUser(req).username;
    const { added, units } =
      format === 'csv'
        ? { added: await store.appendVersions([versionFromCsv(parseInput(csvImportBody, req.body, 'the CSV catalogue import'))], 'csv', by), units: 0 }
        : await store.importData(parseInput(catalogueDataSchema, req.body, 'the JSON catalogue import'), 'json', by);
    res.status(added.length ? 201 : 200).json({ added: summary(added), units, latestVersion: store.current().versions.at(-1)?.version ?? null });
  });
  r.post('/api/v1/units', admin, async (req, res) => {
    const body = parseInput(unitsBody, req.body, 'the unit import');
    res.json(await store.importUnits(body.units, { replace: body.replace }));
  });
  return r;
}
