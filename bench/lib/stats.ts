/** Median, min and max of a set of samples, in the samples' unit. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('No samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** Summarizes one field over runs; `undefined` when no run recorded it. */
export function summarizeField<T>(runs: readonly T[], field: (run: T) => number | null): Summary | undefined {
  const samples = runs.map(field).filter((value): value is number => value !== null);
  return samples.length > 0 ? summarize(samples) : undefined;
}

export const fixed = (value: number, digits = 0) => value.toFixed(digits);

/** "median (min–max)" of samples, for the tables. */
export function range(values: readonly number[], digits = 0): string {
  const { min, median, max } = summarize(values);
  return `${fixed(median, digits)} (${fixed(min, digits)}–${fixed(max, digits)})`;
}
