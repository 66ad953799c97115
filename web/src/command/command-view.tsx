import { useEffect, useRef } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import SidePanel from './side-panel.js';
import ClueDetail from './clue-detail.js';
import { CommandMap } from './command-map.js';
import { UrgentAlarm } from './urgent-alarm.js';

/**
 * `/command` and `/command/clue/:code`: the full-screen map, the side panel and a clue's detail.
 * Escape closes the detail; closing it puts focus back on the clue's row in the list (when the
 * list shows it), so a keyboard user goes on where they were rather than from the top of the page.
 */
export default function CommandView({ params }: { params: Record<string, string> }) {
  const { route } = useLocation();
  const open = (code: string) => route(`/command/clue/${encodeURIComponent(code)}`);
  const root = useRef<HTMLDivElement>(null);
  const shown = useRef<string | null>(null);
  useEffect(() => {
    const was = shown.current;
    shown.current = params.code ?? null;
    if (!was || params.code) return;
    root.current?.querySelector<HTMLElement>(`.ops-panel .ops-row[data-code="${CSS.escape(was)}"]`)?.focus();
  }, [params.code]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !params.code || !(e.target as Element).closest('.ops-detail')) return;
    e.preventDefault();
    route('/command');
  };
  return (
    <div class={params.code ? 'command detail-open' : 'command'} ref={root} onKeyDown={onKey}>
      <CommandMap selected={params.code ?? null} onOpen={open} />
      <SidePanel />
      {params.code && <ClueDetail code={params.code} onClose={() => route('/command')} />}
      <UrgentAlarm onOpen={open} />
    </div>
  );
}
