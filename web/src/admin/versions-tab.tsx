import { useState } from 'preact/hooks';
import type { GetAnswer } from '../api.js';
import { formatTime, lang, t } from '../app/i18n.js';
import { useFetch } from '../view-kit.js';

type Versions = GetAnswer<'/api/v1/catalogue/versions'>;
type Version = Versions['versions'][number];

/** What changed from version `a` (exclusive) up to `b` (inclusive): the union of their change sets. */
function diffVersions(all: readonly Version[], a: number, b: number) {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const span = all.filter((v) => v.version > lo && v.version <= hi);
  const items = new Set<string>();
  const withdrawn = new Set<string>();
  const grants = new Set<string>();
  const revocations = new Set<string>();
  for (const v of span) {
    v.itemsAddedOrChanged.forEach((x) => (items.add(x), withdrawn.delete(x)));
    v.withdrawn.forEach((x) => (withdrawn.add(x), items.delete(x)));
    // A grant later revoked (or the reverse) cancels out: the diff is net, town by town.
    for (const g of v.grants) for (const i of g.itemCodes) (grants.add(`${g.townCode} ${i}`), revocations.delete(`${g.townCode} ${i}`));
    for (const r of v.revocations) for (const i of r.itemCodes) (revocations.add(`${r.townCode} ${i}`), grants.delete(`${r.townCode} ${i}`));
  }
  return { items: [...items].sort(), withdrawn: [...withdrawn].sort(), grants: [...grants].sort(), revocations: [...revocations].sort() };
}

/**
 * Catalogue and empowerment versions as a timeline (newest first, the one in force marked),
 * and the net difference between any two of them.
 */
export default function VersionsTab() {
  const { data, error } = useFetch<Versions>('/api/v1/catalogue/versions');
  const versions = [...(data?.versions ?? [])].sort((x, y) => y.version - x.version);
  const [pick, setPick] = useState<{ a: number | null; b: number | null }>({ a: null, b: null });
  const a = pick.a ?? versions[1]?.version ?? null;
  const b = pick.b ?? versions[0]?.version ?? null;
  const diff = a !== null && b !== null && a !== b ? diffVersions(versions, a, b) : null;
  const select = (k: 'a' | 'b', label: string, value: number | null) => (
    <label>
      {label}
      <select value={value ?? ''} onChange={(e) => setPick({ ...pick, [k]: Number(e.currentTarget.value) })}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );
  const list = (key: string, xs: string[]) => (
    <div class="diff-group">
      <h3>{t(key, { n: xs.length })}</h3>
      <ul>{xs.length ? xs.map((x) => <li key={x}>{x}</li>) : <li>–</li>}</ul>
    </div>
  );
  return (
    <div class="versions two-pane">
      <ol class="timeline" aria-label={t('admin.ver.timeline')}>
        {error && <li role="alert">{error}</li>}
        {versions.map((v) => (
          <li key={v.version} class={v.inForce ? 'in-force' : ''}>
            <strong>v{v.version}</strong> {v.inForce && <span class="badge">{t('admin.ver.inForce')}</span>}
            <div>{t('admin.ver.effective', { time: formatTime(v.effectiveFrom) })}</div>
            <div>{lang() === 'en' ? v.note.en : v.note.zh}</div>
            <div class="muted">{t('admin.ver.counts', { items: v.itemCount, towns: v.empoweredTownCount, changed: v.itemsAddedOrChanged.length, withdrawn: v.withdrawn.length })}</div>
          </li>
        ))}
      </ol>
      <section class="diff" aria-labelledby="diff-title">
        <h2 id="diff-title">{t('admin.ver.diff')}</h2>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          {select('a', t('admin.ver.from'), a)}
          {select('b', t('admin.ver.to'), b)}
        </form>
        {diff ? (
          <>
            {list('admin.ver.items', diff.items)}
            {list('admin.ver.withdrawn', diff.withdrawn)}
            {list('admin.ver.grants', diff.grants)}
            {list('admin.ver.revocations', diff.revocations)}
          </>
        ) : (
          <p>{t('admin.ver.pickTwo')}</p>
        )}
      </section>
    </div>
  );
}
