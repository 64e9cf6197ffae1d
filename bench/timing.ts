// Timing helpers: ratios and medians from one run, never thresholds.

export interface Timing {
  /** Median nanoseconds per operation over the batches. */
  readonly medianNs: number;
  readonly p10Ns: number;
  readonly p90Ns: number;
}

/** Runs `op` in batches after a warm-up and reports per-operation times across batches. */
export function measure(op: () => unknown, batchSize = 50_000, batches = 15): Timing {
  for (let i = 0; i < batchSize * 2; i++) op();
  const perOp: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batchSize; i++) op();
    perOp.push(Number(process.hrtime.bigint() - start) / batchSize);
  }
  perOp.sort((a, b) => a - b);
  const at = (q: number) => perOp[Math.min(perOp.length - 1, Math.floor(q * perOp.length))]!;
  return { medianNs: at(0.5), p10Ns: at(0.1), p90Ns: at(0.9) };
}

export const fmtNs = (ns: number): string => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
  return [line(headers), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)].join("\n");
}
