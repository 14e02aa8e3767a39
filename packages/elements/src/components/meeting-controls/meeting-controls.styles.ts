import { css } from 'lit';

export const meetingControlsStyles = css`
  :host {
    display: flex;
    justify-content: center;
    gap: 12px;
    padding: 12px;
  }
  button {
    display: inline-grid;
    place-items: center;
    width: 48px;
    height: 48px;
    border: 0;
    border-radius: 50%;
    background: var(--_surface);
    color: var(--_text);
    cursor: pointer;
  }
  button[aria-pressed='false'] {
    background: var(--_danger);
    color: #fff;
  }
  button.leave {
    width: 64px;
    border-radius: 24px;
    background: var(--_danger);
    color: #fff;
  }
  button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
`;
