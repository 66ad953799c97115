import { defineConfig } from 'vite';

export default defineConfig({
  // Preact's JSX runtime: Vite 8 transforms TSX with oxc, which does not read the tsconfig's
  // jsxImportSource, so it is stated here as well (else it would emit React.createElement).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    // maplibre-gl and deck.gl are about 2 MB minified, in the command view's own lazy chunk;
    // the entry (shell, router, login) stays small.
    chunkSizeWarningLimit: 3000,
  },
});
