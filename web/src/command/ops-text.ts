import { ApiError } from '../api.js';
import { lang, t } from '../app/i18n.js';

/** A bilingual name as the API gives it ({zh, en}), in the current language. */
export function pick(name: { zh: string; en: string } | null | undefined): string {
  if (!name) return '';
  return lang() === 'en' ? name.en : name.zh;
}

/** API error codes the command centre has its own words for; any other shows the server's message. */
const KNOWN_ERRORS = new Set([
  'GW_CLUE_NOT_FOUND',
  'GW_CLUE_STATE',
  'GW_CLUE_FORBIDDEN',
  'GW_CLUE_INVALID',
  'GW_OUT_OF_SCOPE',
  'GW_VALIDATION',
  'GW_TASKS_NO_UNIT',
  'GW_INSTRUCTION_INVALID',
  'GW_INSTRUCTION_FORBIDDEN',
  'GW_INSTRUCTION_STATE',
  'GW_EVIDENCE_NOT_FOUND',
  'GW_DB_UNAVAILABLE',
]);

/**
 * An API failure in the user's language: the stable error code mapped to a message of ours, the
 * code kept in brackets so a support call can name it. Messages from the server are English and
 * technical, so they show only for codes we have no words for.
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (KNOWN_ERRORS.has(err.code)) return `${t(`ops.error.${err.code}`)} (${err.code})`;
    return t('ops.error.other', { code: err.code, message: err.message });
  }
  return t('ops.error.network', { message: err instanceof Error ? err.message : String(err) });
}

/** Who took a timeline step: a username as it is; the service's own actors ('pipeline', 'system') in words. */
export function actorText(actor: string): string {
  return actor === 'pipeline' || actor === 'system' ? t(`ops.actor.${actor}`) : actor;
}
