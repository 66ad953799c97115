#!/usr/bin/env node
// `gridwatch-sim` (package.json "bin"): runs the TypeScript CLI through tsx, a dependency, so
// `npx gridwatch-sim --help` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../simulators/cli.ts');
process.exit(await main(process.argv.slice(2)));
