/**
 * Every `assert.ok(value)` and `assert(value)` carries a message. Without one, a
 * failing check makes Node read the source file to quote the expression, and under
 * tsx (whose code is one long line that does not match the file) that search ran
 * for minutes: a failed test hung the whole run instead of failing. This test keeps
 * the fault from coming back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..', '..');
const folders = ['src', 'test', 'bench', 'scripts', 'demo'];

function* sourceFiles(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') yield* sourceFiles(path);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) yield path;
  }
}

/** `assert(x)`, `assert.ok(x)` and `strict.ok(x)` style calls given a single argument. */
function unexplainedChecks(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.arguments.length === 1 && isTruthCheck(node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${relative(root, path)}:${line + 1}: ${node.getText(source).slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isTruthCheck(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === 'assert';
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 'ok' &&
    ts.isIdentifier(callee.expression) &&
    /^assert|^strict$/.test(callee.expression.text)
  );
}

test('every assert.ok and assert() call says what failed', () => {
  const files = folders.flatMap((folder) => [...sourceFiles(join(root, folder))]);
  assert.ok(files.length > 50, `found only ${files.length} source files under ${root}`);
  const found = files.flatMap(unexplainedChecks);
  assert.deepEqual(found, [], `checks without a message:\n${found.join('\n')}`);
});
