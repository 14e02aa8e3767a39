import { css } from 'lit';

export const deviceSettingsStyles = css`
  :host {
    display: block;
    background: var(--_background);
  }
  .settings {
    display: grid;
    gap: 16px;
    padding: calc(var(--_gap) * 2);
  }
`;
