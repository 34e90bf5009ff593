// The child process of bench/tiny/run.ts: does one request (probe a contender, or measure one program
// with one contender; see measure.ts) in a fresh process and prints the result as the last line of
// stdout, `BENCH-RESULT <json>`. Progress goes to stderr.
//   node bench/tiny/child.ts '<request as JSON>'

import { printResult } from "../lib/child.ts";
import { measure, probe, type Request } from "./measure.ts";

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) {
    process.stderr.write("usage: node bench/tiny/child.ts '<request as JSON>' (run by bench/tiny/run.ts)\n");
    process.exit(2);
  }
  const req = JSON.parse(arg) as Request;
  const result = req.kind === "probe" ? await probe(req.contender) : await measure(req, (m) => process.stderr.write(`${m}\n`));
  printResult(result);
}

if (import.meta.main) await main();
