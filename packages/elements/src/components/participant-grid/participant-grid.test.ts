import { expect } from '@esm-bundle/chai';
import { gridShape } from './layout.js';

describe('gridShape', () => {
  it('lays out the design card: 1 full, 2 side by side, 3–4 as 2×2, 5–9 as 3×3', () => {
    const shapes = [1, 2, 3, 4, 5, 9].map((count) => {
      const { columns, rows } = gridShape(count);
      return `${columns}x${rows}`;
    });
    expect(shapes).to.deep.equal(['1x1', '2x1', '2x2', '2x2', '3x3', '3x3']);
  });

  it('gives an empty room one cell and grows past 9 in rows of four', () => {
    expect(gridShape(0)).to.deep.equal({ columns: 1, rows: 1 });
    expect(gridShape(10)).to.deep.equal({ columns: 4, rows: 3 });
    expect(gridShape(13)).to.deep.equal({ columns: 4, rows: 4 });
  });
});
