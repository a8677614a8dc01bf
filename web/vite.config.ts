/// <reference types="vitest/config" />
// The console is built into the ConsoleFunction's package (functions/console/static/, served by the HttpApi), so
// `sam build` ships it with everything else. Paths are relative: the function writes a <base href> naming where the
// console is mounted (/console/ locally, /{stage}/console/ deployed).
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "../functions/console/static",
    emptyOutDir: true,
    // No inline script: the page's Content-Security-Policy allows scripts from its own origin only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
  },
});
