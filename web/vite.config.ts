import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `vite build web` finds this file (the root is web/) and writes web/dist, which `trueup serve`
// serves at /. `vite web` is a dev server that sends /api to a `trueup serve` on port 3000.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { proxy: { "/api": "http://localhost:3000" } },
});
