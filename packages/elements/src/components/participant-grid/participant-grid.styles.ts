import { css } from 'lit';

export const participantGridStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    min-height: 0;
    container-type: size;
  }
  /* Tiles of 16:9, as large as --columns × --rows of them (and the pager's --bar) fit, centred; a short last row too. */
  .grid {
    --_w: min(
      (100cqw - (var(--columns) + 1) * var(--_gap)) / var(--columns),
      (100cqh - var(--bar) - (var(--rows) + 1) * var(--_gap)) / var(--rows) * 16 / 9
    );
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: var(--_gap);
    width: calc(var(--columns) * var(--_w) + (var(--columns) + 1) * var(--_gap) + 1px);
    padding: var(--_gap);
  }
  .grid participant-tile {
    width: var(--_w);
    aspect-ratio: 16 / 9;
  }
  .pager {
    display: flex;
    align-items: center;
    gap: 4px;
    height: 40px;
    margin-bottom: var(--_gap);
    padding: 0 4px;
    border-radius: 20px;
    background: var(--_surface);
  }
  .pager button {
    width: 32px;
    height: 32px;
    border: 0;
    border-radius: 50%;
    background: none;
    color: inherit;
    font: inherit;
    font-size: 24px;
    line-height: 1;
    cursor: pointer;
  }
  .pager [aria-disabled='true'] {
    opacity: 0.4;
    cursor: default;
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
    display: flex;
    align-items: center;
    justify-content: center;
    gap: var(--_gap);
    min-width: 0;
    container-type: size;
  }
  .stage participant-tile,
  .stage .presenting {
    width: min(100cqw, 100cqh * 16 / 9);
    aspect-ratio: 16 / 9;
  }
  .strip {
    flex: none;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    width: clamp(160px, 22%, 280px);
    overflow-y: auto;
  }
  .strip:empty {
    display: none;
  }
  .strip participant-tile,
  .strip .presenting {
    flex: none;
    aspect-ratio: 16 / 9;
  }
  /* In place of your own shared screen, which would show itself over and over. */
  .presenting {
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: 12px;
    padding: 8px;
    overflow: hidden;
    border-radius: var(--_radius);
    background: var(--_surface);
    text-align: center;
  }
  .presenting p {
    margin: 0;
    font-weight: 500;
  }
  .stage .presenting p {
    font-size: 1.125rem;
  }
  .stage .presenting svg {
    width: 48px;
    height: 48px;
  }
  .presenting button {
    min-height: 44px;
    padding: 0 20px;
    border: 0;
    border-radius: 22px;
    background: var(--_accent);
    color: var(--_on-accent);
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }
  .presenting button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .strip .presenting {
    gap: 4px;
    font-size: 0.8125rem;
  }
  .strip .presenting svg {
    display: none;
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
    .strip participant-tile,
    .strip .presenting {
      height: 100%;
    }
  }
`;
