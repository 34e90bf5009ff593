#!/usr/bin/env node
// The `unfold` command: checks the Node version, then runs the CLI (TypeScript, run directly by Node 24).
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  console.error(
    `unfold needs Node 22 or newer (this is Node ${process.versions.node}). Run it through npm, which puts the ` +
      "project's pinned Node 24 first on PATH: `npm run unfold -- ...` after `npm ci`.",
  );
  process.exit(1);
}
// V8's code cache on disk: later starts skip compiling TypeScript's 9 MB compiler from source.
const { enableCompileCache } = await import("node:module");
enableCompileCache?.();
await import("../src/cli/main.ts");
