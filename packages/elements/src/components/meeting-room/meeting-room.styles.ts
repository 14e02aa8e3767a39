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
    container-type: inline-size;
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
  .side {
    flex: none;
    display: flex;
    flex-direction: column;
    width: min(360px, 100%);
    border-inline-start: 1px solid var(--_surface);
    background: var(--_background);
  }
  .side > :last-child {
    flex: 1;
    min-height: 0;
  }
  header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    padding: 4px 4px 4px 16px;
  }
  h2 {
    margin: 0;
    font-size: 1.125rem;
    font-weight: 500;
  }
  /* On a phone a panel covers the stage rather than squeezing it. */
  @container (max-width: 600px) {
    .side {
      position: absolute;
      inset: 0 0 72px;
      width: auto;
      z-index: 1;
      border: 0;
    }
  }
  /* Over the stage, so the grid does not jump when it comes and goes. */
  .notice {
    position: absolute;
    top: 12px;
    inset-inline: 12px;
    z-index: 2;
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    align-items: baseline;
    justify-content: center;
    max-width: 560px;
    margin-inline: auto;
    padding: 10px 16px;
    border-radius: 8px;
    border-inline-start: 4px solid var(--_accent);
    background: var(--_surface);
    color: var(--_text);
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.4);
    text-align: center;
  }
  .status {
    display: grid;
    place-content: center;
    justify-items: center;
    gap: 16px;
    height: 100%;
    padding: 24px;
    text-align: center;
  }
  prejoin-screen {
    height: 100%;
    overflow-y: auto;
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
  button.close {
    display: inline-grid;
    place-items: center;
    width: 44px;
    height: 44px;
    padding: 0;
    border-radius: 50%;
    background: transparent;
    color: var(--_text);
  }
  button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .error {
    color: var(--_danger);
    margin: 0;
  }
`;
