import { svg, type SVGTemplateResult } from 'lit';

/**
 * Material Symbols and Material Icons paths (Apache 2.0), inlined so the bundle needs no icon font. These are the
 * ones the prejoin screen, the meeting's frame and the side panels show; the call's own are in call-icons.ts.
 */
export const iconPaths = {
  mic:
    'M12 14q-1.25 0-2.125-.875T9 11V5q0-1.25.875-2.125T12 2q1.25 0 2.125.875T15 5v6q0 1.25-.875 2.125T12 14Zm-1 7v-3.075q-2.6-.35-4.3-2.325T5 11h2q0 2.075 1.463 3.537T12 16q2.075 0 3.538-1.463T17 11h2q0 2.625-1.7 4.6T13 17.925V21h-2Z',
  micOff:
    'm17.75 14.95-1.45-1.45q.35-.575.525-1.2T17 11h2q0 1.1-.325 2.1t-.925 1.85ZM14.8 12 9 6.2V5q0-1.25.875-2.125T12 2q1.25 0 2.125.875T15 5v6q0 .275-.05.525T14.8 12ZM11 21v-3.075q-2.6-.35-4.3-2.325T5 11h2q0 2.075 1.463 3.537T12 16q.85 0 1.613-.262T15 15l1.425 1.425q-.725.575-1.588.963T13 17.925V21h-2Zm8.8 1.6L1.4 4.2l1.4-1.4 18.4 18.4-1.4 1.4Z',
  videocam:
    'M4 20q-.825 0-1.412-.587T2 18V6q0-.825.588-1.412T4 4h12q.825 0 1.413.588T18 6v4.5l4-4v11l-4-4V18q0 .825-.587 1.413T16 20H4Z',
  videocamOff:
    'M21 17.5 17 13.5v.35L7.15 4H16q.825 0 1.413.588T18 6v4.5l3-3v10ZM19.8 22.6 1.4 4.2l1.4-1.4 18.4 18.4-1.4 1.4ZM4.15 4.15 18 18q0 .825-.587 1.413T16 20H4q-.825 0-1.412-.587T2 18V6q0-.825.588-1.412T4 4l.15.15Z',
  close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12Z',
} as const;

export type IconName = keyof typeof iconPaths;

export function icon(name: IconName): SVGTemplateResult {
  return pathIcon(iconPaths[name]);
}

/** A 24×24 icon from an SVG path, in the text's colour. */
export function pathIcon(path: string): SVGTemplateResult {
  return svg`<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" fill="currentColor"><path d=${path}></path></svg>`;
}
