import { useLocation } from 'preact-iso';
import SidePanel from './side-panel.js';
import ClueDetail from './clue-detail.js';
import { CommandMap } from './command-map.js';
import { UrgentAlarm } from './urgent-alarm.js';

/** `/command` and `/command/clue/:code`: the full-screen map, the side panel and a clue's detail. */
export default function CommandView({ params }: { params: Record<string, string> }) {
  const { route } = useLocation();
  const open = (code: string) => route(`/command/clue/${encodeURIComponent(code)}`);
  return (
    <div class="command">
      <CommandMap selected={params.code ?? null} onOpen={open} />
      <SidePanel />
      {params.code && <ClueDetail code={params.code} onClose={() => route('/command')} />}
      <UrgentAlarm onOpen={open} />
    </div>
  );
}
