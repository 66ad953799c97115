import type { AlertType, Severity } from '../detection/alert.js';
import type { Reason } from '../routing/route-clue.js';

/**
 * Clue statuses (线索状态). Main path `new → dispatched → accepted → handling → feedback →
 * verified → closed`; side paths `rejected`, `transferred`, `escalated` (立案), `merged`.
 */
export const CLUE_STATUSES = [
  'new',
  'dispatched',
  'accepted',
  'handling',
  'feedback',
  'verified',
  'closed',
  'rejected',
  'transferred',
  'escalated',
  'merged',
] as const;
export type ClueStatus = (typeof CLUE_STATUSES)[number];

/** Statuses after which a clue takes no more alerts or actions. */
export const FINAL_STATUSES: readonly ClueStatus[] = ['closed', 'escalated', 'merged'];

/** A clue (线索): alerts about one problem, grouped, routed and tracked to closure. Plain JSON. */
export interface Clue {
  /** Human-readable and unique: district code + local date + sequence, e.g. 330203-20240301-0007. */
  code: string;
  /** What alerts are grouped by: the item (or the alert type when no item covers it) and asset. */
  groupKey: string;
  itemCode: string | null;
  alertType: AlertType;
  assetKey: string;
  catalogueVersion: number | null;
  status: ClueStatus;
  severity: Severity;
  alertCount: number;
  firstSeen: number;
  lastSeen: number;
  openedAt: number;
  deadline: number;
  /** Minutes after `lastSeen` in which a new alert joins this clue. */
  windowMin: number;
  primaryUnitId: string;
  coNotifiedUnitIds: string[];
  boardUnitIds: string[];
  districtCode: string | null;
  townCode: string | null;
  position: { lon: number; lat: number };
  needsConfirmation: boolean;
  reasons: Reason[];
  summary: { zh: string; en: string };
  /** Units that rejected the clue, in order; two rejections send it to co-ordination. */
  rejectedBy: string[];
  /** Closed on the spot by a grid worker of the assigned unit (源头化解), counted apart from closures after verification. */
  closedAtSource: boolean;
}
