import { readOnce, request, type GetAnswer } from '../api.js';

/**
 * The towns' (镇街) names by code, from the active boundary import, read once per page: the
 * planner's tables key towns by code, which means nothing to a planner.
 */
export const loadTownNames = readOnce(() =>
  request<GetAnswer<'/api/v1/jurisdictions'>>('/api/v1/jurisdictions?level=town').then((a) => new Map(('items' in a ? a.items : []).map((x) => [x.code, x.name]))),
);
