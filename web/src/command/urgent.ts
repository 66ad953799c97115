import type { Clue } from '../clue.js';

/**
 * True for a clue that must raise the alarm: a gas leak at high or critical severity, or a
 * bridge's structural alarm at red (the detector's critical). Pure, so the rule is tested alone.
 */
export function isUrgent(clue: Pick<Clue, 'alertType' | 'severity'>): boolean {
  if (clue.alertType === 'gas.leak') return clue.severity === 'high' || clue.severity === 'critical';
  if (clue.alertType === 'bridge.structural-alarm') return clue.severity === 'critical';
  return false;
}
