import { css } from 'lit';

export const participantGridStyles = css`
  :host {
    display: block;
    min-height: 0;
    container-type: size;
  }
  .grid {
    display: grid;
    gap: var(--_gap);
    width: 100%;
    height: 100%;
    padding: var(--_gap);
    grid-template-columns: repeat(var(--columns), minmax(0, 1fr));
    grid-template-rows: repeat(var(--rows), minmax(0, 1fr));
  }
`;
