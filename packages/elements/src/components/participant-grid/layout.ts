/** A page of the grid: `columns`×`rows` tiles of 16:9, and how many participants a page holds. */
export interface GridShape {
  columns: number;
  rows: number;
  size: number;
}

/**
 * The shape of a page for `count` participants in a `width`×`height` container (0 when unknown), gap `gap`.
 * A page holds at most 3×3, and only as many columns and rows as fit tiles of at least 160×90 px. Where 3×3 fits,
 * the design card: 1 full size, 2 side by side, 3–4 as 2×2, 5 and more as 3×3 (paged past 9). In a smaller
 * container (a phone), the shape that gives the largest tiles, e.g. 2 stacked in portrait.
 */
export function gridShape(count: number, width = 0, height = 0, gap = 8): GridShape {
  const fit = (length: number, min: number) =>
    length ? Math.max(1, Math.min(3, Math.floor((length - gap) / (min + gap)))) : 3;
  const most = fit(width, 160);
  const size = most * Math.max(fit(height, 90), most > 1 ? 1 : 2);
  const n = Math.max(1, Math.min(count, size));
  if (size === 9) {
    const side = n < 2 ? 1 : n < 5 ? 2 : 3;
    return { columns: side, rows: n === 2 ? 1 : side, size };
  }
  let best = { columns: most, rows: Math.ceil(n / most), size };
  let largest = 0;
  for (let columns = 1; columns <= most; columns++) {
    const rows = Math.ceil(n / columns);
    const tile = Math.min((width - (columns + 1) * gap) / columns, ((height - (rows + 1) * gap) / rows) * (16 / 9));
    if (rows * most <= size && tile > largest) [best, largest] = [{ columns, rows, size }, tile];
  }
  return best;
}
