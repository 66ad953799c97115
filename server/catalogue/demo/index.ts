import { readFileSync } from 'node:fs';
import { parseItemsCsv } from '../import.js';
import { catalogueDataSchema, type CatalogueData, type CatalogueItem } from '../model.js';
import { demoEmpowerment, type DemoTown } from './empowerment.js';

export { demoEmpowerment, type DemoTown } from './empowerment.js';

/** Items added in v2; every other item of items.csv is in v1. */
const ADDED_IN_V2 = ['住建-燃气-05'];
/** Delegable items first granted to the empowered towns by v2 (新增赋权). */
const GRANTED_IN_V2 = ['住建-渣土-03', '城管-停车-02', '住建-燃气-03'];
/** Items v2 takes back from the towns (收回): specialised, rarely used or often missed there. */
const REVOKED_IN_V2 = ['市监-食品-01', '市监-价格-01', '环境-水-01', '住建-燃气-02'];

/** The demo items: `items.csv` beside this file, which doubles as a sample import. */
export function demoItems(): CatalogueItem[] {
  const parsed = parseItemsCsv(readFileSync(new URL('./items.csv', import.meta.url), 'utf8'));
  if (!parsed.ok) throw new Error(`demo items.csv is invalid:\n${parsed.problems.join('\n')}`);
  return parsed.value;
}

/**
 * The demo catalogue for the demo city's towns: two versions shaped like the seeds' revisions
 * (v1 on 2023-01-01 empowers 55 % of towns for the delegable items; v2 on 2024-03-01 grants
 * three more and takes four back, as Jiangyin's 2018 adjustment did at larger scale) and the
 * units of `demoEmpowerment`. Validated like any import.
 */
export function demoCatalogue(towns: readonly DemoTown[], seed: number | string): CatalogueData {
  const items = demoItems();
  const { units, empoweredTownCodes } = demoEmpowerment(towns, seed);
  const toEmpowered = (itemCodes: string[]) => empoweredTownCodes.map((townCode) => ({ townCode, itemCodes }));
  const v1Items = items.filter((i) => !ADDED_IN_V2.includes(i.code));
  const v1Grants = v1Items.filter((i) => i.assignment === 'delegable' && !GRANTED_IN_V2.includes(i.code)).map((i) => i.code);
  return catalogueDataSchema.parse({
    units,
    versions: [
      {
        version: 1,
        effectiveFrom: '2023-01-01',
        note: {
          zh: `赋权镇街综合行政执法事项目录（2023版）：${empoweredTownCodes.length} 个镇街赋权 ${v1Grants.length} 项`,
          en: `Town enforcement catalogue 2023: ${empoweredTownCodes.length} towns empowered for ${v1Grants.length} items`,
        },
        items: v1Items,
        grants: toEmpowered(v1Grants),
      },
      {
        version: 2,
        effectiveFrom: '2024-03-01',
        note: {
          zh: `目录动态调整：新增赋权 ${GRANTED_IN_V2.length} 项，收回 ${REVOKED_IN_V2.length} 项，新增部门事项 ${ADDED_IN_V2.length} 项`,
          en: `Catalogue revision: ${GRANTED_IN_V2.length} items granted to towns, ${REVOKED_IN_V2.length} taken back, ${ADDED_IN_V2.length} department item added`,
        },
        items: items.filter((i) => ADDED_IN_V2.includes(i.code)),
        grants: toEmpowered(GRANTED_IN_V2),
        revocations: toEmpowered(REVOKED_IN_V2),
      },
    ],
  });
}
