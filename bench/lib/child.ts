// Fresh Node processes for measurements (bench/tiny/child.ts, bench/bf/child.ts): the child prints
// its result as JSON on the last line of stdout that starts with RESULT_PREFIX (anything else it
// prints is ignored), and the parent reads it back, or says why there is none.

import { spawnSync } from "node:child_process";

/** Marks the result line a child prints on stdout. */
export const RESULT_PREFIX = "BENCH-RESULT ";

/** In the child: print `result` as the result line. */
export function printResult(result: unknown): void {
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

export type ChildOutcome<R> = { status: "result"; result: R } | { status: "timeout" } | { status: "error"; message: string };

/**
 * Run `node <script> <args>` and return its result line, parsed. The child's stderr passes through
 * (progress) unless `quiet`, where its last lines go into the message of a child without a result.
 */
export function runChild<R>(script: string, args: readonly string[], timeoutMs: number, quiet = false): ChildOutcome<R> {
  const r = spawnSync(process.execPath, [script, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", quiet ? "pipe" : "inherit"],
    maxBuffer: 1 << 28,
    timeout: timeoutMs,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") return { status: "timeout" };
  if (r.error) return { status: "error", message: `the child process failed: ${r.error.message}` };
  const line = r.stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with status ${r.status}`;
    const tail = typeof r.stderr === "string" && r.stderr.trim() !== "" ? `: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}` : "";
    return { status: "error", message: `the child process ${how} without a result${tail}` };
  }
  return { status: "result", result: JSON.parse(line.slice(RESULT_PREFIX.length)) as R };
}
