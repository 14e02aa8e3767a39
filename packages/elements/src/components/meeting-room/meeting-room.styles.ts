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
  /* What is inside fills the element's box, so it never depends on a height the page left auto. */
  :host {
    display: block;
    position: relative;
    background: var(--_background);
    overflow: hidden;
    container-type: inline-size;
  }
  /* A usable size with no CSS from the page: this in-flow strut makes the element 16:9 of its width tall (3:4 on
     a phone), at least 320 px and at most the window. Any height or aspect-ratio the page gives wins: the strut is
     then clipped. (An aspect-ratio on the host itself would also turn a page's lone height into a width.) */
  :host::before {
    content: '';
    display: block;
    padding-top: clamp(min(320px, 100svh), 56.25%, 100svh);
  }
  /* Narrower than 900 px, two 16:9 tiles side by side are under 240 px tall: at least 640 px, so that they stack
     (the invite row and the controls take about 110 px) and the other person's video stays 240 px tall. */
  @container (max-width: 900px) {
    :host::before {
      padding-top: clamp(min(640px, 100svh), 56.25%, 100svh);
    }
  }
  @media (max-width: 600px) {
    :host::before {
      padding-top: clamp(min(320px, 100svh), 133.33%, 100svh);
    }
  }
  .meeting,
  .status,
  prejoin-screen {
    position: absolute;
    inset: 0;
  }
  .meeting {
    display: flex;
    flex-direction: column;
  }
  /* Panels open over the stage, never over the controls below it. */
  .stage {
    flex: 1;
    display: flex;
    position: relative;
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
  /* Focused when it opens; a ring only for keyboard users. */
  .side:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: -3px;
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
      inset: 0;
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
    padding: 24px;
    text-align: center;
  }
  prejoin-screen {
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
  /* End screens: Rejoin and the way out side by side. */
  .status-actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: var(--_gap);
  }
  .exit {
    padding: 10px 16px;
    border-radius: 8px;
    box-shadow: inset 0 0 0 1px var(--_muted-text);
    color: var(--_text);
    font-weight: 600;
    text-decoration: none;
  }
  .exit:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  /* The meeting code and the invite: a slim row above the stage, so it never hides a tile. */
  .meeting-info {
    flex: none;
    display: flex;
    align-items: center;
    gap: var(--_gap);
    min-width: 0;
    padding: var(--_gap) var(--_gap) 0 calc(var(--_gap) * 2);
    font-size: 14px;
  }
  .code {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .copy-invite {
    flex: none;
    padding: 6px 12px;
    border-radius: 18px;
    font-size: 14px;
    white-space: nowrap;
  }
  /* Everyone sees that the meeting is recorded: a row of its own above the stage, never covered by a tile. */
  .recording {
    align-self: flex-start;
    margin: var(--_gap) 0 0 calc(var(--_gap) * 2);
    padding: 4px 12px;
    border-radius: 14px;
    background: var(--parley-recording, #d93025);
    color: #fff;
    font-size: 14px;
    font-weight: 600;
  }
`;
