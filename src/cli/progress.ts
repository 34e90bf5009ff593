// Progress on stderr for steps that take longer than a moment (lowering an interpreter,
// compiling): shown only when stderr is a terminal, on one line that is cleared when the step is
// over, so that redirected output and tests see nothing of it.

let shown = false;

/** Announce a step that may take a while. */
export function progress(step: string): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r\x1b[Kunfold: ${step}...`);
  shown = true;
}

/** Remove the progress line (before printing anything else on stderr, and at the end). */
export function clearProgress(): void {
  if (!shown) return;
  process.stderr.write("\r\x1b[K");
  shown = false;
}
