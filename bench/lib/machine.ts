// The machine a benchmark ran on, for the header of every benchmark report: CPU model, cores,
// memory, OS, Node and V8 versions, gcc version, the date, and the load average when the run
// started (other work on the machine makes figures noisy).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
  /** First line of `gcc --version`, or null when gcc is not installed. */
  gcc: string | null;
  date: string;
  /** 1-minute load average at the start (0 where the OS does not report it). */
  load: number;
}

/** The CPU model from /proc/cpuinfo (Linux), else what Node reports. */
function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? "unknown";
}

/** First line of `gcc --version`, or null when gcc cannot be run. */
export function gccVersion(): string | null {
  const r = spawnSync("gcc", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split("\n")[0]?.trim() ?? null;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    gcc: gccVersion(),
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    load: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The machine as a few `key: value` lines. */
export function formatMachine(m: MachineInfo): string {
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`,
    `node:    ${m.node} (V8 ${m.v8})`,
    `gcc:     ${m.gcc ?? "not found (C references skipped)"}`,
    `date:    ${m.date}`,
    `load:    ${m.load} (1-minute load average at the start, for ${m.cores} cores)`,
  ].join("\n");
}
