import { css } from 'lit';

export const participantTileStyles = css`
  :host {
    position: relative;
    display: block;
    overflow: hidden;
    border-radius: var(--_radius);
    background: var(--_surface);
    min-width: 0;
    min-height: 0;
  }
  /* Over the video. Speaking: a thin ring that comes and goes; the room's active speaker: a thick one that stays. */
  :host::after {
    content: '';
    position: absolute;
    inset: 0;
    border-radius: inherit;
    pointer-events: none;
  }
  :host([speaking])::after {
    box-shadow: inset 0 0 0 2px var(--_accent);
  }
  :host([active-speaker])::after {
    box-shadow: inset 0 0 0 4px var(--_accent);
  }
  video {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
    background: #000;
  }
  video[hidden] {
    display: none;
  }
  :host([local][source='camera']) video {
    transform: scaleX(-1);
  }
  :host([source='screen']) video {
    object-fit: contain;
  }
  .placeholder {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
  }
  .avatar {
    display: grid;
    place-items: center;
    width: clamp(48px, 22%, 112px);
    aspect-ratio: 1;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_on-accent);
    font-size: clamp(18px, 4vmin, 40px);
    font-weight: 600;
  }
  .label {
    position: absolute;
    left: 8px;
    bottom: 8px;
    max-width: calc(100% - 16px);
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 4px 8px;
    border-radius: 6px;
    background: rgb(0 0 0 / 0.55);
    /* Over video whatever the theme: always light on dark. */
    color: #fff;
    font-size: 14px;
    line-height: 20px;
  }
  .name {
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }
  .host-badge {
    flex: none;
    padding: 0 4px;
    border-radius: 4px;
    background: var(--_accent);
    color: var(--_on-accent);
    font-size: 11px;
    font-weight: 700;
    letter-spacing: 0.04em;
  }
  .mic-off {
    flex: none;
    display: inline-flex;
    color: var(--_danger);
  }
  .mic-off svg {
    width: 18px;
    height: 18px;
  }
  .quality {
    flex: none;
    display: inline-flex;
    align-items: flex-end;
    gap: 2px;
    height: 14px;
  }
  .bar {
    width: 3px;
    border-radius: 1px;
    background: rgb(255 255 255 / 0.35);
  }
  .bar:nth-child(1) {
    height: 5px;
  }
  .bar:nth-child(2) {
    height: 9px;
  }
  .bar:nth-child(3) {
    height: 13px;
  }
  .quality[data-level='1'] .bar[data-lit] {
    background: var(--_danger);
  }
  .quality[data-level='2'] .bar[data-lit] {
    background: #fbbc04;
  }
  .quality[data-level='3'] .bar[data-lit] {
    background: #34a853;
  }
  .overlay {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    background: rgb(0 0 0 / 0.55);
    color: #fff;
    font-size: 15px;
  }
  .pin {
    position: absolute;
    top: 8px;
    left: 8px;
    display: grid;
    place-items: center;
    width: 36px;
    height: 36px;
    border: 0;
    border-radius: 50%;
    background: rgb(0 0 0 / 0.55);
    color: #fff;
    cursor: pointer;
    opacity: 0;
  }
  :host(:hover) .pin,
  .pin:focus-visible,
  .pin[aria-pressed='true'] {
    opacity: 1;
  }
  @media (hover: none) {
    .pin {
      opacity: 1;
    }
  }
  .pin[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  /* A raised hand: top right, where the pin (top left) never covers it. */
  .hand {
    position: absolute;
    top: 8px;
    right: 8px;
    padding: 0 10px;
    border: 2px solid var(--parley-hand, #fdd663);
    border-radius: 14px;
    /* Dark, so the yellow hand stands out over any picture. */
    background: rgb(0 0 0 / 0.7);
    color: #fff;
    font-size: 15px;
    font-weight: 700;
    line-height: 24px;
    white-space: nowrap;
  }
  .unlock-sound {
    position: absolute;
    top: 8px;
    right: 8px;
    font: inherit;
    font-size: 13px;
    border: 0;
    border-radius: 6px;
    padding: 6px 10px;
    background: var(--_accent);
    color: var(--_on-accent);
    cursor: pointer;
  }
  /* Reactions stack in the corner above the name, oldest on top; each rises in, stays and fades over its 3 s
     (REACTION_SHOWN_MS). With reduced motion they only fade. */
  .reactions {
    position: absolute;
    right: 8px;
    bottom: 44px;
    display: flex;
    flex-direction: column;
    gap: 4px;
    pointer-events: none;
  }
  .reaction {
    display: grid;
    place-items: center;
    width: calc(var(--parley-reaction-size, 32px) * 1.5);
    height: calc(var(--parley-reaction-size, 32px) * 1.5);
    border-radius: 50%;
    background: var(--parley-reaction-background, rgb(0 0 0 / 0.45));
    font-size: var(--parley-reaction-size, 32px);
    line-height: 1;
    animation: reaction-rise 3s ease-out both;
  }
  @keyframes reaction-rise {
    from {
      opacity: 0;
      transform: translateY(24px) scale(0.5);
    }
    12% {
      opacity: 1;
      transform: none;
    }
    85% {
      opacity: 1;
    }
    to {
      opacity: 0;
      transform: translateY(-12px);
    }
  }
  @keyframes reaction-fade {
    from,
    to {
      opacity: 0;
    }
    10%,
    85% {
      opacity: 1;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .reaction {
      animation-name: reaction-fade;
    }
  }
`;
