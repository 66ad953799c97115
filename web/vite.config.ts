import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    // maplibre-gl and deck.gl are about 2 MB minified. The map is one screen that loads them
    // once and keeps them open all shift, so splitting the chunk would buy nothing.
    chunkSizeWarningLimit: 3000,
  },
});
