import { z } from 'zod';
import { ALERT_TYPES } from '../detection/alert.js';

/** District departments that hold enforcement items (职能部门). */
export const DEPARTMENT_KINDS = [
  'construction', // 住房和城乡建设 (incl. 燃气主管)
  'transport', // 交通运输
  'traffic-police', // 公安交警
  'market', // 市场监督管理
  'environment', // 生态环境
  'emergency', // 应急管理
  'city-management', // 城市管理 / 综合行政执法
  'natural-resources', // 自然资源和规划
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

/** Department names, for units and reasons. */
export const DEPARTMENT_NAMES: Record<DepartmentKind, { zh: string; en: string }> = {
  construction: { zh: '住房和城乡建设局', en: 'Housing and Construction Bureau' },
  transport: { zh: '交通运输局', en: 'Transport Bureau' },
  'traffic-police': { zh: '公安交警大队', en: 'Traffic Police Brigade' },
  market: { zh: '市场监督管理局', en: 'Market Supervision Bureau' },
  environment: { zh: '生态环境分局', en: 'Ecology and Environment Bureau' },
  emergency: { zh: '应急管理局', en: 'Emergency Management Bureau' },
  'city-management': { zh: '综合行政执法局', en: 'Comprehensive Enforcement Bureau' },
  'natural-resources': { zh: '自然资源和规划分局', en: 'Natural Resources and Planning Bureau' },
};

/** Item domains (执法领域), for filtering and evaluation. */
export const DOMAINS = [
  'construction-waste', // 建筑渣土
  'gas-safety', // 燃气安全
  'bridge-safety', // 桥梁安全
  'parking', // 停车
  'sanitation', // 环境卫生
  'city-appearance', // 市容秩序
  'market', // 市场监管
  'environment', // 生态环境
  'land', // 国土
  'work-safety', // 安全生产
] as const;

/**
 * Who handles an item by default:
 * - `delegable` 可赋权: the town team where the town is empowered (赋权), else the department;
 * - `department` 部门专属: always the district department (e.g. road parking → 交警);
 * - `territorial` 属地: always the town team (e.g. pavement parking);
 * - `custodian` 管养: the custodian of the asset (e.g. a bridge), wherever the sensor is.
 */
export const ASSIGNMENTS = ['delegable', 'department', 'territorial', 'custodian'] as const;

/** How fast an item must be handled; `immediate` items are dispatched without waiting. */
export const URGENCIES = ['routine', 'urgent', 'immediate'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Units other than the primary that an item always notifies. */
export const NOTIFY_KINDS = [...DEPARTMENT_KINDS, 'utility', 'town-team'] as const;

const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const itemCode = z.string().regex(/^[\p{Script=Han}A-Za-z]+(-[\p{Script=Han}A-Za-z0-9]+)+$/u, 'item code like 住建-渣土-03');
const localDate = z.iso.date();

/** One enforcement item (执法事项). */
export const catalogueItemSchema = z.object({
  code: itemCode,
  name: bilingual,
  domain: z.enum(DOMAINS),
  /** Legal basis (法律依据), as cited in the official list. */
  legalBasis: z.string().min(1),
  /** The department that holds the item when it is not with a town. */
  department: z.enum(DEPARTMENT_KINDS),
  assignment: z.enum(ASSIGNMENTS),
  /** Time allowed from alert to handling, minutes (urgent kinds get minutes, not days). */
  deadlineMin: z.number().int().positive(),
  urgency: z.enum(URGENCIES),
  /** Alert types that are this item; each alert type belongs to at most one item. */
  alertTypes: z.array(z.enum(ALERT_TYPES)).default([]),
  /** A new alert joins an open clue of this item at the same asset seen within this window. */
  windowMin: z.number().int().positive().default(60),
  alsoNotify: z.array(z.enum(NOTIFY_KINDS)).default([]),
  /** A grid worker of the assigned unit may resolve it on the spot (源头化解): minor, no penalty needed. */
  closeAtSource: z.boolean().default(false),
});
export type CatalogueItem = z.infer<typeof catalogueItemSchema>;

/** Town → item codes, the shape of grants and revocations. */
export const townItemsSchema = z.object({ townCode: z.string().min(1), itemCodes: z.array(itemCode).min(1) });
export type TownItems = z.infer<typeof townItemsSchema>;

/**
 * One version of the catalogue, as a change on the one before (the way lists are revised:
 * "新增赋权 5 项，收回 28 项"). It takes effect at local midnight of `effectiveFrom`.
 */
export const catalogueVersionSchema = z.object({
  version: z.number().int().positive(),
  effectiveFrom: localDate,
  note: bilingual,
  /** Items added or changed by this version. */
  items: z.array(catalogueItemSchema).default([]),
  /** Items removed from the catalogue (their grants go with them). */
  withdrawn: z.array(itemCode).default([]),
  /** Empowerment (赋权) granted to towns by this version. */
  grants: z.array(townItemsSchema).default([]),
  /** Empowerment taken back (收回) from towns by this version. */
  revocations: z.array(townItemsSchema).default([]),
});
export type CatalogueVersion = z.infer<typeof catalogueVersionSchema>;

/**
 * A whole version history. Checked as a whole: versions and dates strictly increase, every
 * code a version names exists at that version, only delegable items are granted, and no alert
 * type maps to two items.
 */
export const catalogueVersionsSchema = z.array(catalogueVersionSchema).min(1).superRefine((versions, ctx) => {
  const items = new Map<string, CatalogueItem>();
  versions.forEach((v, i) => {
    const prev = versions[i - 1];
    if (prev && (v.version <= prev.version || v.effectiveFrom <= prev.effectiveFrom))
      ctx.addIssue({ code: 'custom', path: [i, 'version'], message: `version ${v.version} must follow version ${prev.version} in number and date` });
    for (const item of v.items) items.set(item.code, item);
    for (const code of v.withdrawn) items.delete(code);
    const owner = new Map<string, string>();
    for (const item of items.values())
      for (const type of item.alertTypes) {
        const other = owner.get(type);
        if (other) ctx.addIssue({ code: 'custom', path: [i, 'items'], message: `alert type ${type} maps to both ${other} and ${item.code}` });
        owner.set(type, item.code);
      }
    for (const [field, list] of [['grants', v.grants], ['revocations', v.revocations]] as const)
      list.forEach((g, j) => {
        for (const code of g.itemCodes) {
          const item = items.get(code);
          if (!item) ctx.addIssue({ code: 'custom', path: [i, field, j], message: `unknown item ${code} in version ${v.version}` });
          else if (item.assignment !== 'delegable')
            ctx.addIssue({ code: 'custom', path: [i, field, j], message: `item ${code} is not delegable (${item.assignment})` });
        }
      });
  });
});

const unitBase = {
  id: z.string().regex(/^[A-Za-z0-9._:-]+$/),
  name: bilingual,
  /** The district the unit works in; null for city-level units. */
  districtCode: z.string().nullable(),
};

/** Units that receive clues (处置单位). */
export const unitSchema = z.discriminatedUnion('kind', [
  /** 镇街综合行政执法队: one per town, empowered or not. */
  z.object({ ...unitBase, kind: z.literal('town-team'), townCode: z.string().min(1) }),
  /** 区级职能部门 (住建, 交通, 交警, 市场监管, 生态环境, 应急, 城管 …). */
  z.object({ ...unitBase, kind: z.literal('district-department'), department: z.enum(DEPARTMENT_KINDS) }),
  /** 1+X 片区: a hub town's command platform that also watches its linked towns. */
  z.object({ ...unitBase, kind: z.literal('hub'), townCode: z.string().min(1), linkedTownCodes: z.array(z.string().min(1)).min(1) }),
  /** 综合执法指导办 / 指挥中心值班: disputes, rejected-twice clues, points outside every town. */
  z.object({ ...unitBase, kind: z.literal('coordination-office') }),
  /** 管养单位: custodian of assets such as bridges, listed here or named by the asset's zone. */
  z.object({ ...unitBase, kind: z.literal('custodian'), assetCodes: z.array(z.string()).default([]) }),
  /** 燃气公司: utility serving the listed districts. */
  z.object({ ...unitBase, kind: z.literal('utility'), service: z.literal('gas'), districtCodes: z.array(z.string()).min(1) }),
]);
export type Unit = z.infer<typeof unitSchema>;

/** All units, checked as a whole: ids are unique and a city-level co-ordination office exists. */
export const unitsSchema = z.array(unitSchema).superRefine((units, ctx) => {
  const seen = new Set<string>();
  units.forEach((u, i) => {
    if (seen.has(u.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate unit id ${u.id}` });
    seen.add(u.id);
  });
  if (!units.some((u) => u.kind === 'coordination-office' && u.districtCode === null))
    ctx.addIssue({ code: 'custom', path: [], message: 'a city-level coordination-office (districtCode null) is required: it receives what no district can' });
});

/** A catalogue import: the version history and the units. */
export const catalogueDataSchema = z.object({ versions: catalogueVersionsSchema, units: unitsSchema });
export type CatalogueData = z.infer<typeof catalogueDataSchema>;
