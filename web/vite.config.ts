/**
 * Builds the operator console into web/dist, which Herald serves at `/`
 * (`npm run build:console`). The console calls the API on its own origin; for
 * `vite dev web` the dev server passes /v1 on to a Herald on the default port.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // A console error an operator reports then comes with a readable stack.
    sourcemap: true,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
