/** `npm run api:types`: writes web/src/api-types.ts from the server's OpenAPI document (no database or server needed). */
import fs from 'node:fs';
import path from 'node:path';
import { API_TYPES_FILE, apiTypesSource } from './api-types.js';

const file = path.resolve(import.meta.dirname, '..', API_TYPES_FILE);
fs.writeFileSync(file, await apiTypesSource());
console.log(`wrote ${API_TYPES_FILE}`);
