/**
 * Grid shapes from the design card: 1 full size, 2 side by side, 3–4 as 2×2, 5–9 as 3×3.
 * Past 9 (until paging arrives) four columns with as many rows as needed.
 */
export function gridShape(count: number): { columns: number; rows: number } {
  if (count <= 1) return { columns: 1, rows: 1 };
  if (count === 2) return { columns: 2, rows: 1 };
  if (count <= 4) return { columns: 2, rows: 2 };
  if (count <= 9) return { columns: 3, rows: 3 };
  return { columns: 4, rows: Math.ceil(count / 4) };
}
