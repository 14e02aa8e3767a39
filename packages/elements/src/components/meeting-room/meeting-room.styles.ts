import { css, unsafeCSS } from 'lit';

/** The light palette: set as `--parley-*` on the host, so every element inside (and a page's own overrides on
 * `<meeting-room>`, which win over these) follow it. A bare declaration list is not a stylesheet, so it is a plain
 * string rather than a css`` literal. */
const light = unsafeCSS(`
  --parley-background: #ffffff;
  --parley-surface: #e8eaed;
  --parley-text: #202124;
  --parley-muted-text: #5f6368;
  --parley-accent: #1a73e8;
  --parley-on-accent: #ffffff;
  --parley-danger: #d93025;
`);

export const meetingRoomStyles = css`
  :host([theme='light']) {
    ${light}
  }
  @media (prefers-color-scheme: light) {
    :host(:not([theme='dark'])) {
      ${light}
    }
  }
  :host {
    display: block;
    position: relative;
    min-height: 320px;
    background: var(--_background);
    overflow: hidden;
  }
  .meeting {
    display: flex;
    flex-direction: column;
    height: 100%;
  }
  .stage {
    flex: 1;
    display: flex;
    min-height: 0;
  }
  participant-grid {
    flex: 1;
    min-width: 0;
  }
  chat-panel {
    flex: none;
    width: min(360px, 100%);
    border-inline-start: 1px solid var(--_surface);
  }
  /* On a phone the chat covers the stage rather than squeezing it. */
  @media (max-width: 600px) {
    chat-panel {
      position: absolute;
      inset: 0 0 72px;
      width: auto;
      z-index: 1;
      background: var(--_background);
    }
  }
  .panel {
    display: grid;
    place-content: center;
    gap: 16px;
    height: 100%;
    padding: 24px;
    text-align: center;
  }
  form {
    display: grid;
    gap: 12px;
    width: min(22rem, 100%);
  }
  label {
    display: grid;
    gap: 6px;
    text-align: start;
    color: var(--_muted-text);
    font-size: 14px;
  }
  input {
    font: inherit;
    font-size: 16px;
    padding: 10px 12px;
    border-radius: 8px;
    border: 1px solid var(--_muted-text);
    background: transparent;
    color: var(--_text);
  }
  button {
    font: inherit;
    font-weight: 600;
    padding: 10px 16px;
    border: 0;
    border-radius: 8px;
    background: var(--_accent);
    color: var(--_on-accent);
    cursor: pointer;
  }
  :is(input, button):focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .error {
    color: var(--_danger);
    margin: 0;
  }
`;
