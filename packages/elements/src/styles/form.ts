import { css } from 'lit';

/** Fields and buttons shared by the prejoin screen and the device settings. */
export const formStyles = css`
  .field {
    display: grid;
    gap: 6px;
    color: var(--_muted-text);
    font-size: 14px;
    min-width: 0;
  }
  input,
  select {
    width: 100%;
    min-width: 0;
    font: inherit;
    font-size: 16px;
    padding: 10px 12px;
    border-radius: 8px;
    border: 1px solid var(--_muted-text);
    background: var(--_surface);
    color: var(--_text);
  }
  button {
    font: inherit;
  }
  .primary,
  .secondary {
    min-height: 44px;
    padding: 10px 16px;
    border-radius: 8px;
    font-weight: 600;
    cursor: pointer;
  }
  .primary {
    border: 0;
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .secondary {
    border: 1px solid var(--_accent);
    background: transparent;
    color: var(--_accent);
    justify-self: start;
  }
  :is(.primary, .secondary):disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  :is(input, select, button):focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .error {
    margin: 0;
    color: var(--_danger);
  }
`;
