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
  .switch {
    display: flex;
    align-items: center;
    gap: 10px;
    min-height: 44px;
    color: var(--_text);
    font-size: 14px;
  }
  .switch input {
    width: 20px;
    height: 20px;
    margin: 0;
    padding: 0;
    accent-color: var(--_accent);
  }
`;
