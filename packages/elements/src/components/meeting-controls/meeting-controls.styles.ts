import { css } from 'lit';

export const meetingControlsStyles = css`
  :host {
    position: relative;
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 8px 12px;
    padding: 12px;
    background: var(--_background);
  }
  /* A phone: smaller gaps, and a second row rather than buttons off screen. */
  @media (max-width: 480px) {
    :host {
      gap: 8px 6px;
      padding: 8px;
    }
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
  button {
    position: relative;
  }
  button.device[aria-pressed='false'] {
    background: var(--_danger);
    color: #fff;
  }
  button:not(.device)[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  /* A raised hand stands out from the panel toggles: it is what others see on your tile. */
  button.hand[aria-pressed='true'] {
    background: var(--parley-hand, #fdd663);
    color: #202124;
  }
  button.record[aria-pressed='true'] {
    background: var(--parley-recording, #d93025);
    color: #fff;
  }
  .badge {
    position: absolute;
    top: -2px;
    right: -2px;
    min-width: 18px;
    height: 18px;
    padding: 0 4px;
    border-radius: 9px;
    background: var(--_danger);
    color: #fff;
    font-size: 11px;
    font-weight: 700;
    line-height: 18px;
  }
  button.leave {
    width: 64px;
    border-radius: 24px;
    background: var(--_danger);
    color: #fff;
  }
  button.end {
    width: auto;
    padding: 0 16px;
    border: 2px solid var(--_danger);
    border-radius: 24px;
    background: transparent;
    font: inherit;
    font-weight: 600;
  }
  button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  /* The emoji picker: a row over the middle of the controls, above the call. */
  .picker {
    position: absolute;
    bottom: calc(100% + 8px);
    left: 50%;
    z-index: 3;
    display: flex;
    gap: 4px;
    padding: 6px;
    border-radius: 28px;
    background: var(--parley-reaction-picker-background, var(--_surface));
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.3);
    transform: translateX(-50%);
  }
  .picker button {
    width: 44px;
    height: 44px;
    background: transparent;
    font-size: 26px;
    line-height: 1;
  }
  .picker button:hover {
    background: var(--_background);
  }
  /* The More menu: a column of labelled items above the controls' right end. Its button shows in a phone-wide meeting
     only (below). */
  button.more {
    display: none;
  }
  .menu {
    position: absolute;
    bottom: calc(100% + 8px);
    right: 8px;
    z-index: 3;
    display: flex;
    flex-direction: column;
    min-width: 220px;
    max-width: calc(100% - 16px);
    padding: 6px 0;
    border-radius: 12px;
    background: var(--parley-menu-background, var(--_surface));
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.3);
  }
  .menu button {
    display: flex;
    gap: 14px;
    align-items: center;
    width: auto;
    height: auto;
    min-height: 44px;
    padding: 0 16px;
    border-radius: 0;
    background: transparent;
    font: inherit;
    text-align: start;
  }
  .menu button:hover,
  .menu button[aria-checked='true'] {
    background: var(--_background);
  }
  .menu button[aria-checked='true'] svg {
    color: var(--_accent);
  }
  /* Outlined in the danger colour, as the row's End meeting button: readable on both themes. */
  .menu button.danger {
    justify-content: center;
    margin: 6px 10px 2px;
    border-radius: 22px;
    box-shadow: inset 0 0 0 2px var(--_danger);
    font-weight: 600;
  }
  /* A narrow meeting (a sidebar, a card, a phone; <meeting-room> is the container): buttons of 44 px, the least a
     finger needs, and tighter gaps keep ten controls on one row at 500 px, leaving the call its height. */
  @container (max-width: 600px) {
    :host {
      gap: 8px 4px;
      padding: 8px 6px;
    }
    button {
      width: 44px;
      height: 44px;
    }
    button.leave {
      width: 52px;
    }
  }
  /* A phone-wide meeting: the controls one uses less move into the More menu, so the row stays one row and the call
     keeps its height (twelve buttons took three rows at 360 px). */
  @container (max-width: 480px) {
    /* Seven 44 px buttons then fit in 344 px: a 360 px phone's page with the body's default 8 px margins. */
    :host {
      padding: 8px 2px;
    }
    button.leave {
      width: 44px;
    }
    .secondary {
      display: none;
    }
    button.more {
      display: inline-grid;
    }
  }
`;
