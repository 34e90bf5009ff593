// The rejected-snippet corpus: every file in test/front/rejected is an interpreter outside the
// subset (or with TypeScript errors). Each line that must get a diagnostic ends with
// `// expect: <text>` (several texts joined by ` && `); the diagnostics on that line must contain
// each text, and no other diagnostic may appear. Snippets are kept as .snippet files (they are
// not valid project code) and written to a temporary directory as .ts files to be checked, all
// in one TypeScript program; `"unfold/hints"` in them is resolved to src/hints/index.ts.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkInterpreters, formatDiagnostic } from "../../src/front/index.ts";

const DIR = join(import.meta.dirname, "rejected");
const HINTS = join(import.meta.dirname, "../../src/hints/index.ts");
const names = readdirSync(DIR)
  .filter((f) => f.endsWith(".snippet"))
  .sort();
const tmp = mkdtempSync(join(tmpdir(), "unfold-rejected-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Expect {
  line: number;
  text: string;
}

function expectations(source: string): Expect[] {
  const out: Expect[] = [];
  source.split("\n").forEach((l, i) => {
    const k = l.indexOf("// expect: ");
    if (k < 0) return;
    for (const text of l.slice(k + 11).split(" && ")) out.push({ line: i + 1, text: text.trim() });
  });
  return out;
}

const files = names.map((n) => {
  const source = readFileSync(join(DIR, n), "utf8");
  const path = join(tmp, n.replace(/\.snippet$/, ".ts"));
  writeFileSync(path, source.replaceAll('"unfold/hints"', JSON.stringify(HINTS)));
  return { name: n, path, expects: expectations(source) };
});
const results = checkInterpreters(files.map((f) => f.path));

test("the corpus has at least 40 snippets, each expecting at least one diagnostic", () => {
  assert.ok(files.length >= 40, `only ${files.length} snippets`);
  for (const f of files) assert.ok(f.expects.length > 0, `${f.name} has no // expect: line`);
});

files.forEach((f, i) => {
  test(`rejected: ${f.name}`, () => {
    const r = results[i];
    assert.ok(r, "no result");
    assert.equal(r.program, null, "the front end accepted it");
    const got = r.diagnostics.map((d) => ({ line: d.line, text: formatDiagnostic(d), used: false }));
    const report = () => got.map((g) => `  ${g.text}`).join("\n");
    for (const e of f.expects) {
      const hit = got.find((g) => !g.used && g.line === e.line && g.text.includes(e.text));
      assert.ok(hit, `line ${e.line}: no diagnostic containing '${e.text}'; got:\n${report()}`);
      hit.used = true;
    }
    const extra = got.filter((g) => !g.used);
    assert.equal(extra.length, 0, `unexpected diagnostics:\n${extra.map((g) => `  ${g.text}`).join("\n")}`);
    for (const d of r.diagnostics) assert.ok(d.file.endsWith(f.name.replace(/\.snippet$/, ".ts")), `diagnostic in another file: ${d.file}`);
  });
});
