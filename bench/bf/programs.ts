// The Brainfuck benchmark programs of bench/bf/run.ts: public programs of the anchors folder
// (../shared/anchors/bf beside the repository, or UNFOLD_ANCHORS), each <name>.b with the expected
// output <name>.out. Kept apart from the harness so that bench/run.ts can read the names cheaply.

/** Every program, in the order the harness runs them. */
export const BF_PROGRAMS: readonly string[] = ["bench", "hanoi", "mandelbrot"];
/** The programs of a --quick run. */
export const BF_QUICK_PROGRAMS: readonly string[] = ["bench"];
