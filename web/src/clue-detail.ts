import { request } from './api.js';
import { el, severityChip } from './dom.js';
import { FINAL_STATUSES, type Clue } from './clue.js';
import { formatTime, pick, statusLabel, t, type MessageKey } from './i18n.js';

type Names = Map<string, { zh: string; en: string }>;

/**
 * The detail panel of one clue (GET /api/v1/clues/:code): item, responsible unit, deadline,
 * status and the routing reasons, in the current language.
 */
export class ClueDetail {
  private clue: Clue | null = null;
  private units: Promise<Names> | null = null;
  private unitNames: Names = new Map();
  private showing: string | null = null;

  constructor(
    private readonly panel: HTMLElement,
    private readonly onClose: () => void,
  ) {}

  /** Reads the clue and shows it; a failure is shown in the panel. */
  async show(code: string): Promise<void> {
    this.showing = code;
    // Unit names come once per session from GET /api/v1/units; ids stand in if that fails.
    this.units ??= request<{ units: { id: string; name: { zh: string; en: string } }[] }>('/api/v1/units')
      .then(({ units }) => new Map(units.map((u) => [u.id, u.name])))
      .catch(() => new Map());
    try {
      const [{ clue }, names] = await Promise.all([request<{ clue: Clue }>(`/api/v1/clues/${encodeURIComponent(code)}`), this.units]);
      if (this.showing !== code) return; // another clue was picked meanwhile
      this.clue = clue;
      this.unitNames = names;
      this.render();
    } catch (err) {
      if (this.showing !== code) return;
      this.clue = null;
      this.panel.hidden = false;
      this.panel.replaceChildren(el('p', 'error', t('detail.loadFailed', { code, message: (err as Error).message })));
    }
  }

  /**
   * Re-reads the clue on show when a fresh read of the list (`fresh`, just fetched) has it in
   * another state (status, severity, alerts joined), so the panel keeps up with the map.
   */
  refreshIfChanged(fresh: readonly Clue[]): void {
    const shown = this.clue;
    const now = shown && fresh.find((c) => c.code === shown.code);
    if (now && (now.status !== shown.status || now.severity !== shown.severity || now.lastSeen !== shown.lastSeen)) void this.show(shown.code);
  }

  /** Hides the panel. */
  hide(): void {
    this.showing = null;
    this.clue = null;
    this.panel.hidden = true;
  }

  /** Re-renders in the current language. */
  render(): void {
    const c = this.clue;
    if (!c) return;
    const unit = (id: string) => (this.unitNames.has(id) ? pick(this.unitNames.get(id)!) : id);
    const overdue = !FINAL_STATUSES.has(c.status) && Date.parse(c.deadline) < Date.now();

    const close = el('button', 'close', t('detail.close'));
    close.type = 'button';
    close.onclick = () => {
      this.hide();
      this.onClose();
    };
    const head = el('header', 'detail-head');
    head.append(el('h2', 'code', c.code), close);

    const fields = el('dl');
    const field = (key: MessageKey, value: string, cls = '') => {
      const dd = el('dd', cls, value);
      fields.append(el('dt', '', t(key)), dd);
      return dd;
    };
    field('detail.item', c.item ? `${c.item.code} ${c.item.name ? pick(c.item.name) : ''}`.trim() : t('detail.noItem'));
    field('detail.unit', unit(c.primaryUnitId));
    if (c.coNotifiedUnitIds.length) field('detail.coNotified', c.coNotifiedUnitIds.map(unit).join(pick({ zh: '、', en: ', ' })));
    field('detail.deadline', `${formatTime(c.deadline)}${overdue ? ` (${t('detail.overdue')})` : ''}`, overdue ? 'overdue' : '');
    field('detail.status', statusLabel(c.status));
    field('detail.severity', '').append(severityChip(c.severity));

    const reasons = el('ol', 'reasons');
    reasons.append(...c.reasons.map((r) => el('li', '', pick(r))));
    this.panel.replaceChildren(head, el('p', 'summary', pick(c.summary)), fields, el('h3', '', t('detail.reasons')), reasons);
    this.panel.hidden = false;
  }
}

