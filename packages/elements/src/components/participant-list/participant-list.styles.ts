import { css } from 'lit';

export const participantListStyles = css`
  :host {
    display: block;
    background: var(--_background);
    overflow-y: auto;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: var(--_gap);
  }
  li {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    min-height: 44px;
    padding: 4px calc(var(--_gap) * 2);
    border-radius: 8px;
  }
  .name {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
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
    display: flex;
    gap: 4px;
  }
  button {
    font: inherit;
    font-size: 13px;
    padding: 4px 8px;
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
  [part='waiting'] {
    border-bottom: 1px solid var(--_surface);
  }
  svg {
    width: 20px;
    height: 20px;
  }
`;
