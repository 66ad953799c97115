import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type GetAnswer } from '../api.js';
import { formatTime, t, useLang } from '../app/i18n.js';
import { useLive } from '../app/live.js';
import { sessionUser, token } from '../session.js';
import { actorText, errorText, pick } from './ops-text.js';
import { loadUnits, type UnitName } from './units.js';
import ClueMapInset from './clue-map-inset.js';
import './ops.css';

type Detail = GetAnswer<'/api/v1/clues/{code}'>;
type Action = Detail['nextActions'][number];
type Evidence = GetAnswer<'/api/v1/clues/{code}/evidence'>['evidence'][number];
type Verify = GetAnswer<'/api/v1/clues/{code}/verify'>;

/** The fields each action's form asks for (the action route's body, docs: server/clues/clue-actions.ts). */
const FORM: Record<Action, readonly ('toUnitId' | 'toUnitOptional' | 'reason' | 'note' | 'procedure' | 'intoCode')[]> = {
  dispatch: ['toUnitOptional'],
  accept: [],
  reject: ['reason'],
  start: [],
  feedback: ['note'],
  verify: [],
  return: ['reason'],
  close: [],
  transfer: ['toUnitId', 'reason'],
  escalate: ['procedure', 'reason'],
  closeAtSource: ['note'],
  reroute: [],
  merge: ['intoCode'],
};

/**
 * The detail of one clue for the command centre: summary, routing reasons, evidence (thumbnail →
 * display copy → original's SHA-256), a map inset, the timeline with the record's integrity verdict
 * (GET …/verify), and exactly the actions the API says this user may take now (`nextActions`),
 * each with the form it needs, plus issuing an instruction (指令单) about the clue. It reads the
 * clue again when the live socket says it changed.
 */
export default function ClueDetail({ code, onClose }: { code: string; onClose: () => void }) {
  useLang();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [evidence, setEvidence] = useState<Evidence[]>([]);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [units, setUnits] = useState<UnitName[]>([]);
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(-1);
  // The action just taken and the version that shows its outcome, for the status line.
  const [done, setDone] = useState<{ action: Action | 'instruct'; version: number } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);

  useEffect(() => void loadUnits().then(setUnits, () => undefined), []);
  useEffect(() => {
    let live = true;
    const path = `/api/v1/clues/${encodeURIComponent(code)}`;
    Promise.all([request<Detail>(path), request<{ evidence: Evidence[] }>(`${path}/evidence`), request<Verify>(`${path}/verify`)])
      .then(([d, e, v]) => {
        if (!live) return;
        setDetail(d);
        setEvidence(e.evidence);
        setVerify(v);
        setError(null);
        setLoaded(version);
      })
      .catch((err: unknown) => live && setError(errorText(err)));
    return () => void (live = false);
  }, [code, version]);
  // Focus the heading when another clue opens, so keyboard and screen-reader users land on it.
  useEffect(() => {
    setDone(null);
    heading.current?.focus();
  }, [code]);
  // The submitted form is gone once the action is done: focus the status line that announces the
  // outcome instead, so a keyboard user goes on from the detail rather than from the page's top.
  const actionDone = (action: Action | 'instruct') => {
    setDone({ action, version: version + 1 });
    setVersion((v) => v + 1);
    statusLine.current?.focus();
  };

  const reload = (msg: unknown) => void ((msg as { code?: string }).code === code && setVersion((v) => v + 1));
  useLive('changed', reload);
  useLive('closed', reload);
  useLive('opened', reload);
  useLive('reload', () => setVersion((v) => v + 1));

  const unitName = (id: string) => {
    const u = units.find((x) => x.id === id);
    return u ? pick(u.name) : id;
  };
  const c = detail?.clue;
  return (
    <section class="ops-detail" aria-labelledby="ops-detail-title">
      <header class="ops-detail-head">
        <h2 id="ops-detail-title" tabIndex={-1} ref={heading}>
          {code}
        </h2>
        <button type="button" class="ops-close" onClick={onClose}>
          {t('ops.detail.close')}
        </button>
      </header>
      {error && (
        <p class="ops-error" role="alert">
          {error}
        </p>
      )}
      <p class="ops-announce" role="status" tabIndex={-1} ref={statusLine} data-done={done && loaded >= done.version ? done.action : undefined}>
        {c && done && loaded >= done.version
          ? done.action === 'instruct'
            ? t('ops.form.sent')
            : t('ops.detail.done', { action: t(`ops.action.${done.action}`), status: t(`ops.status.${c.status}`) })
          : ''}
      </p>
      {c && detail && (
        <>
          <p class="ops-summary">{pick(c.summary)}</p>
          <dl class="ops-fields">
            <dt>{t('ops.detail.status')}</dt>
            <dd data-field="status">{t(`ops.status.${c.status}`)}</dd>
            <dt>{t('ops.detail.severity')}</dt>
            <dd>{t(`ops.severity.${c.severity}`)}</dd>
            <dt>{t('ops.detail.item')}</dt>
            <dd>{c.item ? `${c.item.code} ${pick(c.item.name)}` : t('ops.detail.noItem')}</dd>
            <dt>{t('ops.detail.unit')}</dt>
            <dd>{unitName(c.primaryUnitId)}</dd>
            {c.coNotifiedUnitIds.length > 0 && (
              <>
                <dt>{t('ops.detail.coNotified')}</dt>
                <dd>{c.coNotifiedUnitIds.map(unitName).join(t('ops.listSeparator'))}</dd>
              </>
            )}
            <dt>{t('ops.detail.acceptDue')}</dt>
            <dd>{c.acceptDueAt ? formatTime(c.acceptDueAt) : '—'}{c.acceptOverdue && ` (${t('ops.overdue')})`}</dd>
            <dt>{t('ops.detail.closeDue')}</dt>
            <dd>{formatTime(c.closeDueAt ?? c.deadline)}{c.closeOverdue && ` (${t('ops.overdue')})`}</dd>
          </dl>
          <Actions code={code} actions={detail.nextActions} units={units} primaryUnitId={c.primaryUnitId} onDone={actionDone} />
          <h3>{t('ops.detail.reasons')}</h3>
          <ol class="ops-reasons">
            {c.reasons.map((r, i) => (
              <li key={i}>{pick(r)}</li>
            ))}
          </ol>
          <ClueMapInset lon={c.position.lon} lat={c.position.lat} label={code} />
          <h3>{t('ops.detail.evidence')}</h3>
          {evidence.length === 0 ? <p class="ops-empty">{t('ops.detail.noEvidence')}</p> : <EvidenceList evidence={evidence} />}
          <h3>{t('ops.detail.timeline')}</h3>
          {verify && <Verdict verify={verify} />}
          <ol class="ops-timeline">
            {detail.timeline.map((e, i) => (
              <li key={i} data-action={e.action}>
                <time dateTime={e.at}>{formatTime(e.at)}</time> <strong>{e.action in FORM ? t(`ops.action.${e.action}`) : t(`ops.step.${e.action.replace('.', '-')}`)}</strong>{' '}
                {e.from && e.to && e.from !== e.to && (
                  <span>
                    {t(`ops.status.${e.from}`)} → {t(`ops.status.${e.to}`)}
                  </span>
                )}{' '}
                <span class="ops-actor">{actorText(e.actor)}</span>
                {'note' in e.detail && e.detail.note && <q>{e.detail.note}</q>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** The integrity check's verdict (docs/RECORD.md): intact, or which rows and files no longer match. */
function Verdict({ verify }: { verify: Verify }) {
  if (verify.intact)
    return (
      <p class="ops-verdict intact" data-intact="true">
        {t('ops.verify.intact', { rows: verify.rows })}
      </p>
    );
  return (
    <div class="ops-verdict broken" data-intact="false" role="alert">
      <p>{t('ops.verify.broken', { n: verify.problems.length + verify.evidence.filter((e) => !e.ok).length })}</p>
      <ul>
        {verify.problems.map((p, i) => (
          <li key={i}>{t('ops.verify.problem', { seq: p.seq, problem: p.problem })}</li>
        ))}
        {verify.evidence
          .filter((e) => !e.ok)
          .map((e) => (
            <li key={e.sha256}>{t('ops.verify.evidence', { sha: e.sha256.slice(0, 12) })}</li>
          ))}
      </ul>
    </div>
  );
}

/** Evidence images: each thumbnail is a button that opens the display copy; the original's SHA-256 is shown. */
function EvidenceList({ evidence }: { evidence: Evidence[] }) {
  const [shown, setShown] = useState<Evidence | null>(null);
  return (
    <div class="ops-evidence">
      <ul>
        {evidence.map((e) => (
          <li key={e.sha256}>
            <button type="button" class="ops-thumb" onClick={() => setShown(e)} aria-label={t('ops.evidence.open', { time: formatTime(e.addedAt) })}>
              <AuthImage url={e.urls.thumb} alt={t('ops.evidence.thumb')} />
            </button>
          </li>
        ))}
      </ul>
      {shown && (
        <figure class="ops-display">
          <AuthImage url={shown.urls.display} alt={t('ops.evidence.display')} />
          <figcaption>
            {t('ops.evidence.hash')} <code>{shown.sha256}</code> · {shown.width}×{shown.height} · {t(`ops.evidence.source-${shown.source}`)} ·{' '}
            {shown.addedBy} {formatTime(shown.addedAt)}
          </figcaption>
        </figure>
      )}
    </div>
  );
}

/** An evidence file: the API wants the bearer token, which an <img src> cannot send, so it is read as a blob. */
function AuthImage({ url, alt }: { url: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    const bearer = token();
    fetch(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => {
        if (!b || !live) return;
        objectUrl = URL.createObjectURL(b);
        setSrc(objectUrl);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url]);
  return src ? <img src={src} alt={alt} /> : <span class="ops-img-wait">{alt}</span>;
}

/** The actions this user may take now, each a button that opens its form; and issuing an instruction. */
function Actions(props: { code: string; actions: Action[]; units: UnitName[]; primaryUnitId: string; onDone: (action: Action | 'instruct') => void }) {
  const [open, setOpen] = useState<Action | 'instruct' | null>(null);
  const command = ['operator', 'admin'].includes(sessionUser()?.role ?? '');
  useEffect(() => setOpen(null), [props.code, props.actions.join()]);
  return (
    <div class="ops-actions">
      <h3>{t('ops.detail.actions')}</h3>
      <div class="ops-action-buttons">
        {props.actions.length === 0 && !command && <p class="ops-empty">{t('ops.detail.noActions')}</p>}
        {props.actions.map((a) => (
          <button key={a} type="button" data-action={a} aria-expanded={open === a} onClick={() => setOpen(open === a ? null : a)}>
            {t(`ops.action.${a}`)}
          </button>
        ))}
        {command && (
          <button type="button" data-action="instruct" aria-expanded={open === 'instruct'} onClick={() => setOpen(open === 'instruct' ? null : 'instruct')}>
            {t('ops.action.instruct')}
          </button>
        )}
      </div>
      {open === 'instruct' && <InstructionForm code={props.code} units={props.units} onDone={() => (props.onDone('instruct'), setOpen(null))} />}
      {open && open !== 'instruct' && <ActionForm {...props} action={open} onDone={() => (props.onDone(open), setOpen(null))} />}
    </div>
  );
}

/** The form of one action: the fields it needs, sent to POST /api/v1/clues/:code/actions; errors in the user's language. */
function ActionForm({ code, action, units, primaryUnitId, onDone }: { code: string; action: Action; units: UnitName[]; primaryUnitId: string; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = FORM[action];
  const others = units.filter((u) => u.id !== primaryUnitId);
  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const body: Record<string, string> = { type: action };
    for (const [k, v] of data) if (typeof v === 'string' && v !== '') body[k] = v;
    setBusy(true);
    try {
      await request(`/api/v1/clues/${encodeURIComponent(code)}/actions`, { method: 'POST', body });
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="ops-form" data-form={action} onSubmit={submit} aria-label={t(`ops.action.${action}`)}>
      {fields.includes('toUnitOptional') && (
        <label>
          {t('ops.form.toUnit')}
          <select name="toUnitId">
            <option value="">{t('ops.form.asRouted')}</option>
            {others.map((u) => (
              <option key={u.id} value={u.id}>
                {pick(u.name)}
              </option>
            ))}
          </select>
        </label>
      )}
      {fields.includes('toUnitId') && (
        <label>
          {t('ops.form.toUnit')}
          <select name="toUnitId" required>
            <option value="">{t('ops.form.pickUnit')}</option>
            {others.map((u) => (
              <option key={u.id} value={u.id}>
                {pick(u.name)}
              </option>
            ))}
          </select>
        </label>
      )}
      {fields.includes('procedure') && (
        <fieldset>
          <legend>{t('ops.form.procedure')}</legend>
          <label>
            <input type="radio" name="procedure" value="simple" required /> {t('ops.form.procedure-simple')}
          </label>
          <label>
            <input type="radio" name="procedure" value="normal" /> {t('ops.form.procedure-normal')}
          </label>
        </fieldset>
      )}
      {fields.includes('intoCode') && (
        <label>
          {t('ops.form.intoCode')}
          <input name="intoCode" required maxLength={64} />
        </label>
      )}
      {fields.includes('reason') && (
        <label>
          {t('ops.form.reason')}
          <textarea name="reason" required maxLength={2000} />
        </label>
      )}
      {fields.includes('note') && (
        <label>
          {t('ops.form.note')}
          <textarea name="note" required maxLength={2000} />
        </label>
      )}
      {error && (
        <p class="ops-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('ops.form.confirm', { action: t(`ops.action.${action}`) })}
      </button>
    </form>
  );
}

/** Issues an instruction (指令单) about this clue to a unit: POST /api/v1/instructions. */
function InstructionForm({ code, units, onDone }: { code: string; units: UnitName[]; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const due = new Date(String(data.get('dueAt')));
    try {
      await request('/api/v1/instructions', {
        method: 'POST',
        body: {
          targetUnitId: data.get('targetUnitId'),
          subject: { kind: 'clue', clueCode: code },
          title: data.get('title'),
          body: data.get('body'),
          dueAt: Number.isNaN(due.getTime()) ? '' : due.toISOString(),
        },
      });
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="ops-form" data-form="instruct" onSubmit={submit} aria-label={t('ops.action.instruct')}>
      <label>
        {t('ops.form.toUnit')}
        <select name="targetUnitId" required>
          <option value="">{t('ops.form.pickUnit')}</option>
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {pick(u.name)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('ops.form.title')}
        <input name="title" required maxLength={200} />
      </label>
      <label>
        {t('ops.form.body')}
        <textarea name="body" required maxLength={5000} />
      </label>
      <label>
        {t('ops.form.dueAt')}
        <input name="dueAt" type="datetime-local" required />
      </label>
      {error && (
        <p class="ops-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{t('ops.form.confirm', { action: t('ops.action.instruct') })}</button>
    </form>
  );
}
