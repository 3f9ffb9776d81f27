#!/usr/bin/env node
// Runs the compiled CLI (build/, made by `npm ci` and by `npm start`), which starts
// faster and holds less memory; from a checkout that was never built, the
// TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../build/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
