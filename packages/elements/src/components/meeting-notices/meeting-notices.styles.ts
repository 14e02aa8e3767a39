import { css } from 'lit';

export const meetingNoticesStyles = css`
  /* No space of its own: the stack rises from the element's place over what is above it. */
  :host {
    display: block;
    position: relative;
    height: 0;
    z-index: 2;
  }
  [part='notices'] {
    position: absolute;
    inset-inline: var(--_gap);
    bottom: var(--_gap);
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: var(--_gap);
    pointer-events: none;
  }
  .notice {
    pointer-events: auto;
    display: flex;
    align-items: flex-start;
    gap: 4px;
    width: min(400px, 100%);
    padding: 12px 4px 12px 16px;
    border: 1px solid var(--_surface);
    border-radius: 8px;
    background: var(--_background);
    color: var(--_text);
    box-shadow: 0 4px 12px rgb(0 0 0 / 0.35);
  }
  .body {
    flex: 1;
    min-width: 0;
    display: grid;
    gap: 4px;
    overflow-wrap: anywhere;
  }
  p {
    margin: 0;
  }
  .message {
    font-weight: 600;
  }
  .detail {
    font-size: 14px;
    line-height: 1.4;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gap);
    margin-top: 4px;
  }
  button {
    font: inherit;
    font-weight: 600;
    min-height: 36px;
    padding: 6px 14px;
    border: 0;
    border-radius: 18px;
    background: var(--_accent);
    color: var(--_on-accent);
    cursor: pointer;
  }
  .actions button + button {
    background: transparent;
    color: var(--_text);
    box-shadow: inset 0 0 0 1px var(--_muted-text);
  }
  .dismiss {
    flex: none;
    display: inline-grid;
    place-items: center;
    width: 36px;
    padding: 0;
    margin-top: -6px;
    background: transparent;
    color: var(--_text);
  }
  button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
`;
