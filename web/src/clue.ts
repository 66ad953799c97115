import type { components } from './api-types.js';

/**
 * A clue as GET /api/v1/clues returns it: the type generated from the server's OpenAPI document
 * (`npm run api:types`), so the UI states no contract of its own.
 */
export type Clue = components['schemas']['ClueView'];
