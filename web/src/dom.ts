import { severityCss, type Severity } from './clue.js';
import { severityLabel } from './i18n.js';

/** A new element with a class and text: the little the UI needs instead of a framework. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A severity label on its colour, as the list and the detail panel show it. */
export function severityChip(severity: Severity): HTMLSpanElement {
  const chip = el('span', 'chip', severityLabel(severity));
  chip.style.background = severityCss(severity);
  return chip;
}
