import { css } from 'lit';

export const participantListStyles = css`
  :host {
    display: block;
    background: var(--_background);
    overflow-y: auto;
  }
  ul,
  ol {
    list-style: none;
    margin: 0;
    padding: var(--_gap);
  }
  li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px var(--_gap);
    min-height: 44px;
    padding: 4px calc(var(--_gap) * 2);
    border-radius: 8px;
  }
  /* A name gets the whole first row (wrapping if it must, never cut down to "C…"); a host's actions go below. */
  .name {
    flex: 1;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .badge {
    padding: 2px 6px;
    border-radius: 4px;
    background: var(--_accent);
    color: var(--_on-accent);
    font-size: 11px;
    font-weight: 700;
  }
  .state {
    display: inline-flex;
    color: var(--_muted-text);
  }
  .state[data-off] {
    color: var(--_danger);
  }
  .actions {
    flex-basis: 100%;
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gap);
  }
  button {
    font: inherit;
    font-size: 13px;
    min-height: 32px;
    padding: 4px 12px;
    border: 1px solid var(--_accent);
    border-radius: 6px;
    background: transparent;
    color: var(--_accent);
    cursor: pointer;
  }
  :is(button, input):focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .switches {
    display: grid;
    gap: 8px;
    padding: var(--_gap) calc(var(--_gap) * 2);
  }
  .switch {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    min-height: 32px;
  }
  .notice {
    margin: 0;
    padding: 6px 10px;
    border-inline-start: 3px solid var(--_accent);
    border-radius: 4px;
    background: var(--_surface);
    font-size: 13px;
    line-height: 1.4;
  }
  .hands {
    border-bottom: 1px solid var(--_surface);
  }
  .hands-heading {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_gap);
    padding: var(--_gap) calc(var(--_gap) * 2) 0;
  }
  h3 {
    margin: 0;
    font-size: 14px;
    font-weight: 600;
  }
  .place {
    padding: 0 8px;
    border: 2px solid var(--parley-hand, #fdd663);
    border-radius: 12px;
    background: rgb(0 0 0 / 0.7);
    color: #fff;
    font-size: 13px;
    font-weight: 700;
    white-space: nowrap;
  }
  [part='waiting'] {
    border-bottom: 1px solid var(--_surface);
  }
  svg {
    width: 20px;
    height: 20px;
  }
`;
