import { request, type GetAnswer } from '../api.js';

let towns: Promise<Map<string, string>> | null = null;

/**
 * The towns' (镇街) names by code, from the active boundary import, read once per page: the
 * planner's tables key towns by code, which means nothing to a planner. A failed read is
 * forgotten so the next call tries again.
 */
export function loadTownNames(): Promise<Map<string, string>> {
  towns ??= request<GetAnswer<'/api/v1/jurisdictions'>>('/api/v1/jurisdictions?level=town')
    .then((a) => new Map(('items' in a ? a.items : []).map((x) => [x.code, x.name])))
    .catch((err: unknown) => {
      towns = null;
      throw err;
    });
  return towns;
}
