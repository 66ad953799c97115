import type { ParsedFeature } from './parse.js';
import type { ProblemLog } from './report.js';

/**
 * Codes are the keys routing and the grid hierarchy hang on, so a duplicated code is fatal:
 * one problem per duplicated code, naming the feature positions that share it.
 */
export function checkDuplicateCodes(features: ParsedFeature[], log: ProblemLog): void {
  const byCode = new Map<string, number[]>();
  for (const f of features) {
    const list = byCode.get(f.code);
    if (list) list.push(f.index + 1);
    else byCode.set(f.code, [f.index + 1]);
  }
  for (const [code, at] of byCode) {
    if (at.length < 2) continue;
    log.add({
      kind: 'duplicate-code',
      severity: 'fatal',
      feature: code,
      message: `Checking codes: ${code} is used by ${at.length} features (#${at.join(', #')}); codes must be unique in a layer`,
      details: { features: at },
    });
  }
}
