import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { request, type GetAnswer } from '../api.js';
import { formatTime, t, useLang } from '../app/i18n.js';
import { useLive } from '../app/live.js';
import type { Clue } from '../clue.js';
import { errorText, pick } from './ops-text.js';
import { loadUnits, type UnitName } from './units.js';
import { useAwaitingDispatch } from './awaiting-dispatch.js';
import './ops.css';

type Tab = 'tasks' | 'instructions' | 'warnings';
type Task = GetAnswer<'/api/v1/tasks'>['tasks'][number];
type Instructions = GetAnswer<'/api/v1/instructions'>;
type Instruction = Instructions['instructions'][number];
type Warnings = GetAnswer<'/api/v1/warnings'>;

/** The filters every tab offers; each tab sends the ones its API takes and applies the rest here. */
interface Filters {
  item: string;
  kind: string;
  status: string;
  unit: string;
  /** Opened or issued within this many hours; '' for any time. */
  hours: string;
  search: string;
}
const NO_FILTERS: Filters = { item: '', kind: '', status: '', unit: '', hours: '', search: '' };

const TASK_STATUSES = ['new', 'dispatched', 'accepted', 'handling', 'feedback', 'verified', 'rejected', 'transferred'] as const;
const INSTRUCTION_STATUSES = ['issued', 'acknowledged', 'answered'] as const;
const WARNING_CATEGORIES = ['escalated', 'overdue', 'due-soon'] as const;
const DEVICE_KINDS = ['waste-truck', 'gas-sensor', 'bridge-sensor', 'parking-camera'] as const;
const FINAL = new Set(['closed', 'merged', 'escalated']);
const TABS: Tab[] = ['tasks', 'instructions', 'warnings'];
/** Rows read per tab: a unit's open work fits; the counts say when there is more. */
const PAGE = 500;

/** Query string of the defined values. */
function qs(params: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ''));
  return q.size ? `?${q}` : '';
}

/** A clue matches the filters the API does not apply: unit, time and the search by code or plate. */
function clueMatches(c: Clue, f: Filters, now: number): boolean {
  if (f.unit && c.primaryUnitId !== f.unit) return false;
  if (f.hours && Date.parse(c.openedAt) < now - Number(f.hours) * 3_600_000) return false;
  if (f.item && c.item?.code !== f.item) return false;
  if (f.kind && c.device?.kind !== f.kind) return false;
  const s = f.search.trim().toLowerCase();
  if (!s) return true;
  const plate = typeof c.details.plate === 'string' ? c.details.plate.toLowerCase() : '';
  return c.code.toLowerCase().includes(s) || plate.includes(s);
}

/**
 * The command centre's side panel: three tabs, tasks (任务单, GET /api/v1/tasks), instructions
 * (指令单) and warnings (预警单), each with counts, filters (item, kind, status, unit, time) and a
 * search by clue code or plate. Rows are buttons: a click or Enter opens /command/clue/:code.
 * The lists follow the live socket's clue diffs in place (opened, changed, closed); instructions
 * and warnings, which the socket does not carry, are read again shortly after a clue changes.
 */
export default function SidePanel() {
  useLang();
  const { route } = useLocation();
  const [tab, setTab] = useState<Tab>('tasks');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [tasks, setTasks] = useState<Map<string, Task>>(new Map());
  const [unitId, setUnitId] = useState<string | null>(null);
  const [instructions, setInstructions] = useState<Instructions | null>(null);
  const [warnings, setWarnings] = useState<Warnings | null>(null);
  const [units, setUnits] = useState<UnitName[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(0);
  /** Bumped when the socket says its memory no longer reaches back to us (`reload`): read every list again. */
  const [epoch, setEpoch] = useState(0);
  const refetch = useRef<ReturnType<typeof setTimeout> | null>(null);
  const awaiting = useAwaitingDispatch();

  useEffect(() => void loadUnits().then(setUnits, () => undefined), []);

  // Tasks: the API filters status, item and kind; a filter change reads the list again.
  useEffect(() => {
    let live = true;
    request<GetAnswer<'/api/v1/tasks'>>(`/api/v1/tasks${qs({ status: filters.status && tab === 'tasks' ? filters.status : '', item: filters.item, kind: filters.kind, limit: String(PAGE) })}`)
      .then((a) => {
        if (!live) return;
        setUnitId(a.unitId);
        setTasks(new Map(a.tasks.map((x) => [x.clue.code, x])));
        setError(null);
      })
      .catch((err: unknown) => live && setError(errorText(err)));
    return () => void (live = false);
  }, [filters.status, filters.item, filters.kind, tab, epoch]);

  useEffect(() => {
    let live = true;
    const status = tab === 'instructions' ? filters.status : '';
    request<Instructions>(`/api/v1/instructions${qs({ status, unit: filters.unit, limit: String(PAGE) })}`)
      .then((a) => live && setInstructions(a))
      .catch((err: unknown) => live && setError(errorText(err)));
    const category = tab === 'warnings' ? filters.status : '';
    request<Warnings>(`/api/v1/warnings${qs({ category, unit: filters.unit, limit: String(PAGE) })}`)
      .then((a) => live && setWarnings(a))
      .catch((err: unknown) => live && setError(errorText(err)));
    return () => void (live = false);
  }, [filters.status, filters.unit, tab, stale, epoch]);

  /** Warnings and instructions follow deadlines the server computes: read them again, at most once a second. */
  const soon = () => {
    if (refetch.current) return;
    refetch.current = setTimeout(() => {
      refetch.current = null;
      setStale((n) => n + 1);
    }, 1000);
  };
  useEffect(() => () => void (refetch.current && clearTimeout(refetch.current)), []);

  const mine = (c: Partial<Clue>) => unitId !== null && c.primaryUnitId === unitId && !FINAL.has(c.status ?? '');
  useLive('opened', (msg: unknown) => {
    const m = msg as { code: string; fields: Clue };
    if (mine(m.fields)) setTasks((prev) => new Map(prev).set(m.code, { clue: m.fields, nextActions: prev.get(m.code)?.nextActions ?? [] }));
    soon();
  });
  useLive('changed', (msg: unknown) => {
    const m = msg as { code: string; fields: Partial<Clue> };
    setTasks((prev) => {
      const had = prev.get(m.code);
      if (!had) return prev;
      const clue = { ...had.clue, ...m.fields };
      const next = new Map(prev);
      if (mine(clue)) next.set(m.code, { ...had, clue });
      else next.delete(m.code);
      return next;
    });
    // A status change changes what this user may do next: the tasks answer says, so read it for the row.
    if (m.fields.status || m.fields.primaryUnitId) void refreshTask(m.code);
    soon();
  });
  useLive('reload', () => setEpoch((n) => n + 1));
  useLive('closed', (msg: unknown) => {
    const m = msg as { code: string };
    setTasks((prev) => {
      if (!prev.has(m.code)) return prev;
      const next = new Map(prev);
      next.delete(m.code);
      return next;
    });
    soon();
  });

  /** Reads one clue's next actions again (GET /api/v1/clues/:code), keeping the row in place. */
  async function refreshTask(code: string): Promise<void> {
    try {
      const a = await request<GetAnswer<'/api/v1/clues/{code}'>>(`/api/v1/clues/${encodeURIComponent(code)}`);
      setTasks((prev) => {
        const next = new Map(prev);
        if (mine(a.clue)) next.set(code, { clue: a.clue, nextActions: a.nextActions });
        else next.delete(code);
        return next;
      });
    } catch {
      // Out of view now: the 'closed' diff removes the row.
    }
  }

  const now = Date.now();
  const taskRows = useMemo(
    () => [...tasks.values()].filter((x) => clueMatches(x.clue, filters, now)).sort((a, b) => b.clue.openedAt.localeCompare(a.clue.openedAt)),
    [tasks, filters, now],
  );
  const taskCounts = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const x of tasks.values()) counts[x.clue.status] = (counts[x.clue.status] ?? 0) + 1;
    return counts;
  }, [tasks]);
  const instructionRows = (instructions?.instructions ?? []).filter((i) => instructionMatches(i, filters, now));
  const warningClues = (warnings?.clues ?? []).filter((w) => clueMatches(w.clue, { ...filters, unit: '' }, now));
  const warningInstructions = (warnings?.instructions ?? []).filter((w) => instructionMatches(w.instruction, filters, now));
  const warningTotal = warnings ? sum(warnings.counts.clues) + sum(warnings.counts.instructions) : 0;

  const open = (code: string) => route(`/command/clue/${encodeURIComponent(code)}`);
  const choose = (k: Tab) => {
    setTab(k);
    setFilters({ ...filters, status: '' });
  };
  /** WAI-ARIA tabs: the arrow keys move to the previous or next tab (wrapping), Home and End to the first and last; the tab chosen is selected and focused. */
  const onTabKey = (e: KeyboardEvent) => {
    const at = TABS.indexOf(tab);
    const moves: Record<string, number> = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: TABS.length - 1 };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const k = TABS[(to + TABS.length) % TABS.length]!;
    choose(k);
    document.getElementById(`ops-tab-${k}`)?.focus();
  };
  const set = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  const tabCount = { tasks: tasks.size, instructions: instructions?.counts.total ?? 0, warnings: warningTotal };
  const items = [...new Map([...tasks.values()].flatMap((x) => (x.clue.item ? [[x.clue.item.code, x.clue.item] as const] : []))).values()];

  const statuses: readonly string[] = tab === 'tasks' ? TASK_STATUSES : tab === 'instructions' ? INSTRUCTION_STATUSES : WARNING_CATEGORIES;
  const statusCount = (s: string): number | undefined =>
    tab === 'tasks'
      ? (taskCounts[s] ?? 0)
      : tab === 'instructions'
        ? instructions?.counts[s as 'issued']
        : warnings ? (warnings.counts.clues[s as 'overdue'] ?? 0) + (warnings.counts.instructions[s as 'overdue'] ?? 0) : undefined;

  return (
    <aside class="ops-panel" aria-label={t('ops.panel.label')}>
      <div role="tablist" class="ops-tabs" aria-label={t('ops.panel.label')} onKeyDown={onTabKey}>
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`ops-tab-${k}`}
            aria-selected={tab === k}
            aria-controls="ops-tabpanel"
            tabIndex={tab === k ? 0 : -1}
            class={tab === k ? 'ops-tab active' : 'ops-tab'}
            onClick={() => choose(k)}
          >
            {t(`ops.tab.${k}`)} <span class="ops-count">{tabCount[k]}</span>
          </button>
        ))}
      </div>
      <div id="ops-tabpanel" role="tabpanel" aria-labelledby={`ops-tab-${tab}`} class="ops-tabpanel">
        <form class="ops-filters" onSubmit={(e) => e.preventDefault()} aria-label={t('ops.filter.label')}>
          <input type="search" name="search" value={filters.search} onInput={set('search')} placeholder={t('ops.filter.search')} aria-label={t('ops.filter.search')} />
          <select name="status" value={filters.status} onChange={set('status')} aria-label={t('ops.filter.status')}>
            <option value="">{t('ops.filter.anyStatus')}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(tab === 'tasks' ? `ops.status.${s}` : tab === 'instructions' ? `ops.instruction.${s}` : `ops.warning.${s}`)} ({statusCount(s) ?? 0})
              </option>
            ))}
          </select>
          <select name="item" value={filters.item} onChange={set('item')} aria-label={t('ops.filter.item')}>
            <option value="">{t('ops.filter.anyItem')}</option>
            {items.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code} {pick(i.name)}
              </option>
            ))}
          </select>
          <select name="kind" value={filters.kind} onChange={set('kind')} aria-label={t('ops.filter.kind')}>
            <option value="">{t('ops.filter.anyKind')}</option>
            {DEVICE_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`ops.kind.${k}`)}
              </option>
            ))}
          </select>
          <select name="unit" value={filters.unit} onChange={set('unit')} aria-label={t('ops.filter.unit')}>
            <option value="">{t('ops.filter.anyUnit')}</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {pick(u.name)}
              </option>
            ))}
          </select>
          <select name="hours" value={filters.hours} onChange={set('hours')} aria-label={t('ops.filter.time')}>
            <option value="">{t('ops.filter.anyTime')}</option>
            <option value="1">{t('ops.filter.hours', { n: 1 })}</option>
            <option value="24">{t('ops.filter.hours', { n: 24 })}</option>
            <option value="168">{t('ops.filter.days', { n: 7 })}</option>
          </select>
        </form>
        {error && (
          <p class="ops-error" role="alert">
            {error}
          </p>
        )}
        {tab === 'tasks' && awaiting && awaiting.clues.length > 0 && (
          <section class="ops-queue" aria-labelledby="ops-queue-h">
            <h3 id="ops-queue-h">{t('ops.queue.title', { n: awaiting.total })}</h3>
            <ul class="ops-rows" aria-labelledby="ops-queue-h">
              {awaiting.clues.map((c) => (
                <li key={c.code}>
                  <ClueRow clue={c} onOpen={open} />
                </li>
              ))}
            </ul>
          </section>
        )}
        {tab === 'tasks' && (
          <ul class="ops-rows" aria-label={t('ops.tab.tasks')}>
            {taskRows.length === 0 && <li class="ops-empty">{t('ops.empty')}</li>}
            {taskRows.map((x) => (
              <li key={x.clue.code}>
                <ClueRow clue={x.clue} onOpen={open} />
              </li>
            ))}
          </ul>
        )}
        {tab === 'instructions' && (
          <ul class="ops-rows" aria-label={t('ops.tab.instructions')}>
            {instructionRows.length === 0 && <li class="ops-empty">{t('ops.empty')}</li>}
            {instructionRows.map((i) => (
              <li key={i.id}>
                <InstructionRow instruction={i} onOpen={open} units={units} />
              </li>
            ))}
          </ul>
        )}
        {tab === 'warnings' && (
          <ul class="ops-rows" aria-label={t('ops.tab.warnings')}>
            {warningClues.length + warningInstructions.length === 0 && <li class="ops-empty">{t('ops.empty')}</li>}
            {warningClues.map((w) => (
              <li key={w.clue.code}>
                <ClueRow clue={w.clue} onOpen={open} badge={t(`ops.warning.${w.category}`)} />
              </li>
            ))}
            {warningInstructions.map((w) => (
              <li key={`i${w.instruction.id}`}>
                <InstructionRow instruction={w.instruction} onOpen={open} units={units} badge={t(`ops.warning.${w.category}`)} />
              </li>
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Instructions match on unit, time and a search by the clue code they concern or their title. */
function instructionMatches(i: Instruction, f: Filters, now: number): boolean {
  if (f.unit && i.targetUnitId !== f.unit) return false;
  if (f.hours && Date.parse(i.issuedAt) < now - Number(f.hours) * 3_600_000) return false;
  const s = f.search.trim().toLowerCase();
  if (!s) return true;
  return (i.subject.kind === 'clue' && i.subject.clueCode.toLowerCase().includes(s)) || i.title.toLowerCase().includes(s);
}

/** One clue as a row: a real button, so Enter and Space open it as a click does. */
function ClueRow({ clue, onOpen, badge }: { clue: Clue; onOpen: (code: string) => void; badge?: string }) {
  const plate = typeof clue.details.plate === 'string' ? clue.details.plate : null;
  return (
    <button type="button" class={`ops-row sev-${clue.severity}`} data-code={clue.code} onClick={() => onOpen(clue.code)}>
      <span class="ops-row-head">
        <span class="ops-code">{clue.code}</span>
        {badge && <span class="ops-badge">{badge}</span>}
        <span class={`ops-status st-${clue.status}`}>{t(`ops.status.${clue.status}`)}</span>
      </span>
      <span class="ops-summary">{pick(clue.summary)}</span>
      <span class="ops-meta">
        {t(`ops.severity.${clue.severity}`)} · {formatTime(clue.openedAt)}
        {plate && ` · ${plate}`}
        {(clue.acceptOverdue || clue.closeOverdue) && ` · ${t('ops.overdue')}`}
      </span>
    </button>
  );
}

/** One instruction: opens its clue when it concerns one, otherwise shows its text in place. */
function InstructionRow({ instruction: i, onOpen, units, badge }: { instruction: Instruction; onOpen: (code: string) => void; units: UnitName[]; badge?: string }) {
  const unit = units.find((u) => u.id === i.targetUnitId);
  const head = (
    <>
      <span class="ops-row-head">
        <span class="ops-code">{i.title}</span>
        {badge && <span class="ops-badge">{badge}</span>}
        <span class="ops-status">{t(`ops.instruction.${i.status}`)}</span>
      </span>
      <span class="ops-meta">
        {unit ? pick(unit.name) : i.targetUnitId} · {t('ops.instruction.due', { time: formatTime(i.dueAt) })}
        {i.overdue && ` · ${t('ops.overdue')}`}
      </span>
    </>
  );
  if (i.subject.kind === 'clue') {
    const code = i.subject.clueCode;
    return (
      <button type="button" class="ops-row" data-code={code} onClick={() => onOpen(code)}>
        {head}
      </button>
    );
  }
  return (
    <details class="ops-row">
      <summary>{head}</summary>
      <p>{i.body}</p>
    </details>
  );
}
