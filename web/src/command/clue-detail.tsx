import { useEffect, useState } from 'preact/hooks';
import { request } from '../api.js';
import { formatTime, t, useLang } from '../app/i18n.js';
import type { Clue } from '../clue.js';

/** One clue's detail, read from GET /api/v1/clues/:code. */
export default function ClueDetail({ code, onClose }: { code: string; onClose: () => void }) {
  useLang();
  const [clue, setClue] = useState<Clue | null>(null);
  useEffect(() => {
    setClue(null);
    request<Clue>(`/api/v1/clues/${encodeURIComponent(code)}`).then(setClue, () => setClue(null));
  }, [code]);
  return (
    <section class="detail" aria-label={code}>
      <h2>{code}</h2>
      {clue && (
        <p>
          {t(`command.status.${clue.status}`)} · {formatTime(clue.deadline)}
        </p>
      )}
      <button type="button" onClick={onClose}>
        {t('command.detail.close')}
      </button>
    </section>
  );
}
