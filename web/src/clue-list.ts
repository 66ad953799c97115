import type { Clue } from './clue.js';
import { el, severityChip } from './dom.js';
import { formatTime, pick, statusLabel, t } from './i18n.js';

/** How many rows the side list shows: the newest, as an operator scans them. */
const ROWS = 50;

/** The side list of the newest clues; a click on a row selects that clue. */
export class ClueList {
  private newest: readonly Clue[] = [];
  private total = 0;
  private selected: string | null = null;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly count: HTMLElement,
    onSelect: (code: string) => void,
  ) {
    list.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('li[data-code]');
      if (row) onSelect(row.dataset.code!);
    });
  }

  /** Shows the newest of `newest` (already newest first) and the total on the map. */
  update(newest: readonly Clue[], total: number): void {
    this.newest = newest;
    this.total = total;
    this.render();
  }

  /** Marks the row of the selected clue. */
  select(code: string | null): void {
    this.selected = code;
    this.render();
  }

  /** Re-renders in the current language. */
  render(): void {
    this.count.textContent = t('list.count', { n: this.total });
    if (!this.newest.length) {
      this.list.replaceChildren(el('li', 'empty', t('list.empty')));
      return;
    }
    this.list.replaceChildren(...this.newest.slice(0, ROWS).map((c) => this.row(c)));
  }

  private row(c: Clue): HTMLLIElement {
    const li = el('li', c.code === this.selected ? 'selected' : '');
    li.dataset.code = c.code;
    const title = el('span', 'title', pick(c.summary));
    const meta = el('span', 'meta', `${formatTime(c.openedAt, false)} · ${statusLabel(c.status)} · ${c.code}`);
    li.append(severityChip(c.severity), title, meta);
    return li;
  }
}
