// Hand-written C references as benchmark contenders: compiled once with `gcc -O2` into a temporary
// directory, then run as processes. Each program times itself (clock_gettime around the work, see
// bench/tiny/common.h) and reports `time_ns <n>` on stderr, so process start-up is not counted.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { basename, join } from "node:path";

export class CBuilds {
  private dir: string | null = null;
  private readonly built = new Map<string, string>();

  /** Compile `source` (a .c file) with gcc -O2, once; returns the executable's path. Throws with gcc's messages. */
  build(source: string): string {
    const done = this.built.get(source);
    if (done !== undefined) return done;
    this.dir ??= mkdtempSync(join(os.tmpdir(), "unfold-bench-c-"));
    const exe = join(this.dir, basename(source, ".c"));
    const r = spawnSync("gcc", ["-O2", "-o", exe, source], { encoding: "utf8" });
    if (r.error) throw new Error(`cannot run gcc: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`gcc -O2 ${source} failed:\n${r.stderr.trim()}`);
    this.built.set(source, exe);
    return exe;
  }

  /** Remove the temporary directory. */
  dispose(): void {
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.built.clear();
  }
}

/** Run a self-timing C program with `--time` and the arguments; its stdout and the time it reported. */
export function runTimedC(exe: string, args: readonly string[]): { output: string; ms: number } {
  const r = spawnSync(exe, ["--time", ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run ${exe}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${basename(exe)} ${args.join(" ")} exited with ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  const m = /^time_ns (\d+)$/m.exec(r.stderr);
  if (!m) throw new Error(`${basename(exe)} did not report 'time_ns <n>' on stderr`);
  return { output: r.stdout, ms: Number(m[1]) / 1e6 };
}
