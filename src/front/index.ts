// The front end: an interpreter written in the TypeScript subset (docs/subset.md) → an LL Program.
// The interpreter module exports `target: Target` ({ entry, prepare }); `entry` and everything it
// reaches is translated (closed world), `prepare` is host code and is not. TypeScript's own errors
// inside translated code are reported with the subset's, all at once, each as
// `file:line:col: error: <what> — <what to write instead>`.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import type { Program } from "../ir/graph.ts";
import { verifyProgram } from "../ir/verify.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { displayPath, FrontEndError, Reporter, Rejected } from "./diagnostics.ts";
import { lowerAll } from "./lower.ts";
import { isUserFile, loadProgram } from "./tsprogram.ts";
import { World } from "./world.ts";

export type { Diagnostic } from "./diagnostics.ts";
export { FrontEndError, formatDiagnostic } from "./diagnostics.ts";

export interface FrontEndOptions {
  /** Run the IR verifier on the result (default true); a problem is reported as an internal error. */
  verify?: boolean;
}

export interface CheckResult {
  /** The LL program, or null when there are diagnostics. */
  program: Program | null;
  diagnostics: Diagnostic[];
}

/** Lower an interpreter to LL graphs; throws FrontEndError listing every diagnostic. */
export function lowerInterpreter(entryFile: string, opts: FrontEndOptions = {}): Program {
  const r = checkInterpreter(entryFile, opts);
  if (!r.program) throw new FrontEndError(r.diagnostics);
  return r.program;
}

/** Check and lower an interpreter; never throws for problems in the interpreter. */
export function checkInterpreter(entryFile: string, opts: FrontEndOptions = {}): CheckResult {
  return checkInterpreters([entryFile], opts)[0] as CheckResult;
}

/**
 * Check and lower several interpreters, sharing one TypeScript program (faster than one call
 * each: tests of many small modules). The results are independent, one per entry file.
 */
export function checkInterpreters(entryFiles: readonly string[], opts: FrontEndOptions = {}): CheckResult[] {
  const paths = entryFiles.map((f) => resolve(f));
  const existing = paths.filter((p) => existsSync(p));
  let tsp: ts.Program | null = null;
  let loadError: unknown = null;
  try {
    if (existing.length > 0) tsp = loadProgram(existing);
  } catch (e) {
    loadError = e;
  }
  return paths.map((path, i) => {
    const report = new Reporter();
    const fileLoc = { file: displayPath(path), line: 1, col: 1 };
    let program: Program | null = null;
    if (!existsSync(path)) report.at(fileLoc, `cannot read the interpreter '${entryFiles[i]}': no such file`);
    else {
      try {
        if (!tsp) throw loadError;
        program = run(tsp, path, report, opts);
      } catch (e) {
        if (!(e instanceof Rejected)) {
          const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
          report.at(fileLoc, `internal error of the front end: ${msg}`, "please report it with this file");
        }
      }
    }
    return { program: report.count === 0 ? program : null, diagnostics: report.sorted() };
  });
}

function run(tsp: ts.Program, path: string, report: Reporter, opts: FrontEndOptions): Program | null {
  const sf = tsp.getSourceFile(path);
  if (!sf) {
    report.at({ file: displayPath(path), line: 1, col: 1 }, "TypeScript could not load this file");
    return null;
  }
  for (const d of tsp.getSyntacticDiagnostics(sf)) report.fromTs(d);
  if (report.count > 0) return null;
  const w = new World(tsp, report);
  const entry = findEntry(w, sf);
  if (entry) {
    const fi = w.funcFor(entry, null);
    lowerAll(w);
    w.ll.entries.push(fi.gb.graph.name);
    checkHostWrites(w);
  }
  reportTypeErrors(w, tsp);
  if (report.count > 0) return null;
  if (opts.verify !== false) {
    for (const issue of verifyProgram(w.ll)) {
      const loc = issue.loc ?? { file: displayPath(path), line: 1, col: 1 };
      report.at(loc, `internal error of the front end: it made an invalid graph: ${issue.toString()}`, "please report it with this file");
    }
  }
  return w.ll;
}

/** The entry function named by `export const target = { entry: f, prepare }`. */
function findEntry(w: World, sf: ts.SourceFile): ts.FunctionDeclaration | null {
  const fix = "export const target: Target = { entry: main, prepare };";
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== "target") continue;
      w.translated(st);
      const exported = st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) w.report.error(d.name, "`target` must be exported", fix);
      let init = d.initializer;
      while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)))
        init = init.expression;
      if (!init || !ts.isObjectLiteralExpression(init)) {
        w.report.error(d, "`target` must be an object literal naming the entry function and prepare", fix);
        return null;
      }
      for (const p of init.properties) {
        const name = p.name && ts.isIdentifier(p.name) ? p.name.text : "";
        if (name !== "entry") continue;
        const sym = ts.isShorthandPropertyAssignment(p)
          ? w.checker.getShorthandAssignmentValueSymbol(p)
          : ts.isPropertyAssignment(p)
            ? w.checker.getSymbolAtLocation(p.initializer)
            : undefined;
        const decl = w.decl(sym ? w.unalias(sym) : undefined);
        if (!decl || !ts.isFunctionDeclaration(decl) || !decl.body) {
          w.report.error(p, "`entry` must name a module-level function declaration", fix);
          return null;
        }
        return decl;
      }
      w.report.error(init, "`target` has no `entry`", fix);
      return null;
    }
  }
  w.report.at({ file: displayPath(sf.fileName), line: 1, col: 1 }, "the interpreter module does not export `target`", fix);
  return null;
}

/**
 * A module-level `let` that host code (prepare, or anything not translated) assigns would differ
 * between modes: translated code starts from its initial value. Report such assignments.
 */
function checkHostWrites(w: World): void {
  if (w.globals.size === 0) return;
  const isTarget = (n: ts.Node): boolean => {
    const p = n.parent;
    if (ts.isBinaryExpression(p) && p.left === n)
      return p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
    if (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p))
      return p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken;
    return false;
  };
  for (const sf of w.program.getSourceFiles()) {
    if (!isUserFile(sf)) continue;
    const ranges = w.translatedRanges.get(sf) ?? [];
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && isTarget(n) && !ranges.some(([a, b]) => n.pos >= a && n.end <= b)) {
        const sym = w.resolve(n);
        const g = sym ? w.globals.get(sym) : undefined;
        if (g)
          w.report.error(
            n,
            `module-level variable '${n.text}' is assigned by host code, but translated code starts from its initial value`,
            "pass the value to the entry function (as one of prepare's results)",
          );
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
}

/** TypeScript's errors inside the translated declarations (and syntax errors of their files). */
function reportTypeErrors(w: World, tsp: ts.Program): void {
  for (const [sf, ranges] of w.translatedRanges) {
    if (!isUserFile(sf)) continue;
    for (const d of tsp.getSyntacticDiagnostics(sf)) w.report.fromTs(d);
    for (const d of tsp.getSemanticDiagnostics(sf)) {
      if (d.start === undefined) continue;
      const at = d.start;
      if (ranges.some(([a, b]) => at >= a && at < b)) w.report.fromTs(d);
    }
  }
}
