// Small statistics and formatting helpers for the benchmark reports: median, geometric mean,
// number formatting and Markdown tables (readable in a terminal and pasted as is into docs).

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of no samples");
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function geomean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("geometric mean of no values");
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

/** Milliseconds with 3 significant digits or at least 1 decimal: 0.0123, 1.23, 12.3, 123.4, 1234.5. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(3);
}

/** A ratio with 3 significant digits: 0.512, 1.23, 12.3, 123. */
export function formatRatio(r: number): string {
  if (r >= 100) return r.toFixed(0);
  if (r >= 10) return r.toFixed(1);
  if (r >= 1) return r.toFixed(2);
  return r.toPrecision(3);
}

/** A Markdown table with padded columns; the first `left` columns are left-aligned, the others right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i < left ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < left ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map((r) => line(header.map((_, i) => r[i] ?? "")))].join("\n");
}
