import { css } from 'lit';

export const confirmDialogStyles = css`
  dialog {
    width: min(420px, calc(100vw - 32px));
    padding: 24px;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_background);
    color: var(--_text);
    box-shadow: 0 8px 28px rgb(0 0 0 / 0.5);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.55);
  }
  h2 {
    margin: 0 0 8px;
    font-size: 1.25rem;
    font-weight: 500;
    overflow-wrap: anywhere;
  }
  p {
    margin: 0 0 24px;
    color: var(--_muted-text);
    line-height: 1.4;
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: var(--_gap);
  }
  button {
    font: inherit;
    font-weight: 600;
    min-height: 44px;
    padding: 10px 18px;
    border: 0;
    border-radius: 22px;
    background: transparent;
    color: var(--_accent);
    cursor: pointer;
  }
  /* Outlined in the danger colour: readable on both themes, as the controls' End meeting button. */
  .confirm {
    box-shadow: inset 0 0 0 2px var(--_danger);
    color: var(--_text);
  }
  button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
`;
