import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { unionOfTiles } from './assemble.js';
import { cluster } from './cluster.js';
import type { DistrictOutline } from './districts.js';
import { toMetric } from './frame.js';
import { signedArea2, type MultiPolygonCoords, type Position } from './geometry.js';
import { PlaceNames } from './names.js';
import { DISTRICT_PLANS } from './plan.js';
import { createRng, type Rng } from './prng.js';
import { placeSeeds } from './seeds.js';
import { tessellate } from './tessellate.js';

/** The seed the committed demo city was generated from. */
export const DEMO_SEED = 'gridwatch-ningbo-1';

/** About how many grid cells make a community (社区/村). */
const CELLS_PER_COMMUNITY = 6;

export interface AreaProps {
  code: string;
  name: string;
  parentCode: string;
}

/** The generated layers below the districts, ready to import. */
export interface DemoJurisdictions {
  towns: FeatureCollection<MultiPolygon, AreaProps>;
  communities: FeatureCollection<MultiPolygon, AreaProps>;
  grids: FeatureCollection<MultiPolygon, AreaProps>;
}

interface Cell {
  seed: Position;
  shape: MultiPolygonCoords;
}

const pad3 = (n: number): string => String(n).padStart(3, '0');
const feature = (props: AreaProps, coordinates: MultiPolygonCoords): Feature<MultiPolygon, AreaProps> => ({
  type: 'Feature',
  properties: props,
  geometry: { type: 'MultiPolygon', coordinates },
});
const planarArea = (mp: MultiPolygonCoords): number => mp.reduce((s, poly) => s + poly.reduce((t, r) => t + signedArea2(r), 0), 0);

/** Splits `items` into `k` groups by clustering their metric positions. */
function groups<T>(items: T[], at: (t: T) => Position, k: number, rng: Rng): T[][] {
  const assign = cluster(items.map((t) => toMetric(at(t))), k, rng);
  const out: T[][] = [];
  items.forEach((t, i) => (out[assign[i]!] ??= []).push(t));
  if (out.length !== Math.min(k, items.length)) throw new Error(`Clustering ${items.length} cells into ${k} groups gave ${out.length}`);
  return out;
}

/**
 * Generates towns (镇/街道), communities (社区/村) and grid cells (网格) inside the districts,
 * deterministically from `seed`. Cells are Voronoi cells clipped to their district; towns and
 * communities are clusters of whole cells, built as exact unions, so every layer tiles its
 * parent with shared vertices: no overlaps, no gaps. Codes follow GB/T 2260 + street (街道
 * 001–099, 镇 101–, 乡 201–) + community (社区 001–, 村 201–) + 3-digit cell sequence.
 */
export function generateJurisdictions(districts: DistrictOutline[], seed = DEMO_SEED): DemoJurisdictions {
  const rng = createRng(seed);
  const townNames = new PlaceNames(rng.fork('town-names'));
  const towns: Feature<MultiPolygon, AreaProps>[] = [];
  const communities: Feature<MultiPolygon, AreaProps>[] = [];
  const grids: Feature<MultiPolygon, AreaProps>[] = [];
  for (const plan of DISTRICT_PLANS) {
    const district = districts.find((d) => d.code === plan.code);
    if (!district) throw new Error(`Generating the demo city: district ${plan.code} is missing from the outlines`);
    const drng = rng.fork(plan.code);
    const seeds = placeSeeds(district, plan.urban, drng.fork('seeds'));
    const shapes = tessellate(seeds, district.coordinates);
    const cells: Cell[] = seeds.map((s, i) => ({ seed: s, shape: shapes[i]! }));
    // Densest (smallest-celled) towns first: they become the 街道 and get the low codes.
    const townGroups = groups(cells, (c) => c.seed, plan.towns, drng.fork('towns')).sort(
      (a, b) => a.reduce((s, c) => s + planarArea(c.shape), 0) / a.length - b.reduce((s, c) => s + planarArea(c.shape), 0) / b.length,
    );
    const communityNames = new PlaceNames(drng.fork('community-names'));
    const townsLeft = plan.towns - plan.streets;
    townGroups.forEach((townCells, t) => {
      // Counties keep their last two or so as 乡 (townships), as rural Zhejiang does.
      const kind = t < plan.streets ? 'street' : !plan.urban && t >= plan.towns - Math.floor(townsLeft / 5) ? 'township' : 'town';
      const number = kind === 'street' ? t + 1 : kind === 'town' ? 101 + t - plan.streets : 201 + t - (plan.towns - Math.floor(townsLeft / 5));
      const townCode = plan.code + pad3(number);
      const townName = townNames.next() + (kind === 'street' ? '街道' : kind === 'town' ? '镇' : '乡');
      towns.push(feature({ code: townCode, name: townName, parentCode: plan.code }, unionOfTiles(townCells.map((c) => c.shape))));
      const k = Math.max(2, Math.round(townCells.length / CELLS_PER_COMMUNITY));
      const commGroups = groups(townCells, (c) => c.seed, k, drng.fork(`communities-${townCode}`));
      // In a 镇 the seat's few communities are 社区, the rest 村; a 乡 has only 村.
      const urbanCount = kind === 'street' ? commGroups.length : kind === 'town' ? Math.min(2, commGroups.length) : 0;
      let urbanSeq = 0;
      let villageSeq = 0;
      commGroups.forEach((commCells, c) => {
        const urban = c < urbanCount;
        const commCode = townCode + pad3(urban ? ++urbanSeq : 200 + ++villageSeq);
        const commName = communityNames.next() + (urban ? '社区' : '村');
        communities.push(feature({ code: commCode, name: commName, parentCode: townCode }, unionOfTiles(commCells.map((x) => x.shape))));
        commCells.forEach((cell, i) => {
          grids.push(feature({ code: commCode + pad3(i + 1), name: `${commName}第${i + 1}网格`, parentCode: commCode }, cell.shape));
        });
      });
    });
  }
  const fc = <T>(features: Feature<MultiPolygon, T>[]): FeatureCollection<MultiPolygon, T> => ({ type: 'FeatureCollection', features });
  return { towns: fc(towns), communities: fc(communities), grids: fc(grids) };
}
