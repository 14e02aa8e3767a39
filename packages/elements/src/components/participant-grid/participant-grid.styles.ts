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
  .presentation {
    display: flex;
    gap: var(--_gap);
    width: 100%;
    height: 100%;
    padding: var(--_gap);
  }
  .stage {
    flex: 1;
    display: grid;
    gap: var(--_gap);
    min-width: 0;
  }
  .strip {
    flex: none;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    width: clamp(160px, 22%, 280px);
    overflow-y: auto;
  }
  .strip participant-tile {
    flex: none;
    aspect-ratio: 16 / 9;
  }
  /* Narrow (a phone, a small embed): the strip runs along the bottom. */
  @container (max-width: 640px) {
    .presentation {
      flex-direction: column;
    }
    .strip {
      flex-direction: row;
      width: auto;
      height: clamp(72px, 24%, 140px);
      overflow-x: auto;
      overflow-y: hidden;
    }
    .strip participant-tile {
      height: 100%;
    }
  }
`;
