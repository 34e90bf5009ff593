// Diagnostics of the front end: what the user sees when an interpreter is outside the subset or
// does not type-check. Every diagnostic has a place (file:line:col), what is wrong and, when there
// is one, what to write instead. They are collected (many per run) and thrown together.

import { isAbsolute, relative } from "node:path";
import ts from "typescript";
import type { SourceLoc } from "../ir/graph.ts";

export interface Diagnostic {
  /** The file as shown to the user (relative to the working directory when inside it). */
  readonly file: string;
  /** 1-based line and column. */
  readonly line: number;
  readonly col: number;
  /** What is wrong, e.g. "a plain `number` type". */
  readonly message: string;
  /** What to write instead, when there is advice to give. */
  readonly fix?: string;
}

/** `file:line:col: error: <what> — <what to write instead>` */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: error: ${d.message}${d.fix ? ` — ${d.fix}` : ""}`;
}

/** Thrown by lowerInterpreter: the message lists every diagnostic, one per line. */
export class FrontEndError extends Error {
  override name = "FrontEndError";
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const n = diagnostics.length;
    super(`${diagnostics.map(formatDiagnostic).join("\n")}\n${n} error${n === 1 ? "" : "s"}`);
    this.diagnostics = diagnostics;
  }
}

/** A file name as shown to the user: relative to the working directory when it is inside it. */
export function displayPath(fileName: string): string {
  const rel = relative(process.cwd(), fileName);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : fileName;
}

/** The place of a node (its first token, not its leading trivia). */
export function nodeLoc(node: ts.Node): SourceLoc {
  const sf = node.getSourceFile();
  const pos = node.getStart(sf);
  const { line, character } = sf.getLineAndCharacterOfPosition(pos);
  return { file: displayPath(sf.fileName), line: line + 1, col: character + 1 };
}

/** Abandons the lowering of the current construct after a diagnostic has been reported. */
export class Rejected extends Error {
  constructor() {
    super("rejected (a diagnostic has been reported)");
  }
}

/** Collects diagnostics; at most one per place and message. */
export class Reporter {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  /** Report a problem at `node`; returns the Rejected exception so callers can `throw r.error(...)`. */
  error(node: ts.Node, message: string, fix?: string): Rejected {
    this.at(nodeLoc(node), message, fix);
    return new Rejected();
  }

  at(loc: SourceLoc, message: string, fix?: string): void {
    const key = `${loc.file}:${loc.line}:${loc.col}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ file: loc.file, line: loc.line, col: loc.col, message, ...(fix ? { fix } : {}) });
  }

  /** A TypeScript diagnostic, with its position. */
  fromTs(d: ts.Diagnostic): void {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n    ");
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      this.at({ file: displayPath(d.file.fileName), line: line + 1, col: character + 1 }, `${text} (TS${d.code})`);
    } else {
      this.at({ file: "<typescript>", line: 1, col: 1 }, `${text} (TS${d.code})`);
    }
  }

  get count(): number {
    return this.list.length;
  }

  /** The diagnostics in file, line, column order. */
  sorted(): Diagnostic[] {
    return [...this.list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
  }
}

/** A short excerpt of a node's source text for messages (one line, at most 60 characters). */
export function excerpt(node: ts.Node): string {
  const t = node.getText().replace(/\s+/g, " ");
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}
