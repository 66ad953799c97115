/**
 * The allowed arrows between the parts of Gridwatch, written down once (docs/ARCHITECTURE.md
 * draws them). Data flows one way: ingest → geo → the server stages in the order below → the
 * HTTP/WS API → web. A module may import its own part and the parts its entry lists; any other
 * import of our own code fails `npm run lint:deps` (and so CI). Packages and node built-ins are
 * always allowed.
 */
const GROUND = ['core', 'db'];
const EARLY = [...GROUND, 'ingest', 'geo'];
const SERVER_BASE = [...EARLY, 'server/auth', 'server/http'];

/** Each part: the folder (or file pattern) and the parts it may import besides itself. */
const PARTS = [
  { name: 'core', path: '^core/', may: [] },
  { name: 'db', path: '^db/', may: ['core'] },
  // Stages: ingest and geo are independent of each other; the pipeline joins them in server/.
  { name: 'ingest', path: '^ingest/', may: GROUND },
  { name: 'geo', path: '^geo/', may: GROUND },
  // Device stand-ins: they speak the wire contract and walk the demo city, nothing of the server.
  { name: 'simulators', path: '^simulators/', may: [...GROUND, 'ingest', 'geo'] },
  // The server's ground floor: people (users, tokens, the policy) and the route mechanism.
  { name: 'server/auth', path: '^server/auth/', may: [...GROUND, 'server/http'] },
  { name: 'server/http', path: '^server/http/', may: [...GROUND, 'server/auth'] },
  // Server stages, in pipeline order; each may use the ones before it.
  { name: 'server/detection', path: '^server/detection/', may: SERVER_BASE },
  { name: 'server/catalogue', path: '^server/catalogue/', may: [...SERVER_BASE, 'server/detection'] },
  { name: 'server/routing', path: '^server/routing/', may: [...SERVER_BASE, 'server/detection', 'server/catalogue'] },
  { name: 'server/clues', path: '^server/clues/', may: [...SERVER_BASE, 'server/detection', 'server/catalogue', 'server/routing'] },
  { name: 'server/pipeline', path: '^server/pipeline/', may: [...SERVER_BASE, 'server/detection', 'server/catalogue', 'server/routing', 'server/clues'] },
  { name: 'server/lifecycle', path: '^server/lifecycle/', may: [...SERVER_BASE, 'server/detection', 'server/catalogue', 'server/routing', 'server/clues'] },
  { name: 'server/evidence', path: '^server/evidence/', may: [...SERVER_BASE, 'server/clues'] },
  { name: 'server/outbound', path: '^server/outbound/', may: [...SERVER_BASE, 'server/detection', 'server/catalogue', 'server/routing', 'server/clues', 'server/lifecycle'] },
  { name: 'server/live', path: '^server/live/', may: [...SERVER_BASE, 'server/detection', 'server/catalogue', 'server/routing', 'server/clues', 'server/lifecycle', 'server/outbound'] },
  // API shells over the early stages: boundaries, locate and spatial queries; devices and dead letters.
  { name: 'server/spatial', path: '^server/spatial/', may: [...SERVER_BASE, 'server/clues'] },
  { name: 'server/devices', path: '^server/devices/', may: SERVER_BASE },
  { name: 'server/web', path: '^server/web/', may: SERVER_BASE },
  // Demo seeding and the start-up list compose everything above.
  { name: 'server/demo', path: '^server/demo/', may: [...SERVER_BASE, 'simulators', 'server/detection', 'server/catalogue', 'server/routing', 'server/clues', 'server/pipeline'] },
  { name: 'server (composition)', path: '^server/[^/]+\\.ts$', may: [...EARLY, 'simulators', 'server'] },
  // The browser app talks to the server over HTTP only; its API types are generated.
  { name: 'web', path: '^web/', may: [] },
  // Tests and benchmarks may reach anything of the product.
  { name: 'test', path: '^test/', may: [...EARLY, 'simulators', 'server', 'web', 'bench'] },
  { name: 'bench', path: '^bench/', may: [...EARLY, 'simulators', 'server', 'test', 'web'] },
];

const folder = (name) => (name === 'server' ? '^server/' : PARTS.find((p) => p.name === name).path);

module.exports = {
  allowed: [
    { comment: 'packages and node built-ins', from: {}, to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'] } },
    // Type-only packages without a runtime (@types/geojson) resolve to no file.
    { comment: 'the GeoJSON types', from: {}, to: { path: '^geojson$' } },
    ...PARTS.map((p) => ({ comment: `${p.name} may import itself and ${p.may.join(', ') || 'nothing else'}`, from: { path: p.path }, to: { path: [p.path, ...p.may.map(folder)] } })),
  ],
  allowedSeverity: 'error',
  forbidden: [
    { name: 'no-circular', comment: 'no import cycles', severity: 'error', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', comment: 'every import resolves', severity: 'error', from: {}, to: { couldNotResolve: true, pathNot: '^geojson$' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
  },
};
