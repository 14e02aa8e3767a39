import type { VideoEffect } from '@parley/sdk';

/** What shows behind you: the camera as it is, blurred (two strengths), or an image the host page supplies. */
export type BackgroundChoice = { type: 'none' } | { type: 'blur'; strength: 'light' | 'strong' } | { type: 'image'; url: string };

/** The choices the prejoin screen and the settings offer, by `<option>` value; images come from the host page. */
export const BACKGROUND_OPTIONS = {
  none: { type: 'none' },
  light: { type: 'blur', strength: 'light' },
  strong: { type: 'blur', strength: 'strong' },
} as const satisfies Record<string, BackgroundChoice>;
export type BackgroundOption = keyof typeof BACKGROUND_OPTIONS | 'image';

const STORAGE_KEY = 'parley:background';

/** The `<option>` value for `choice`. */
export const backgroundOption = (choice: BackgroundChoice): BackgroundOption =>
  choice.type === 'blur' ? choice.strength : choice.type;

/** The blur chosen last time on this site (an image is the host page's to set again), if storage allows. */
export function rememberedBackground(): BackgroundChoice {
  try {
    return BACKGROUND_OPTIONS[localStorage.getItem(STORAGE_KEY) as keyof typeof BACKGROUND_OPTIONS] ?? BACKGROUND_OPTIONS.none;
  } catch {
    return BACKGROUND_OPTIONS.none;
  }
}

export function rememberBackground(choice: BackgroundChoice): void {
  try {
    if (choice.type !== 'image') localStorage.setItem(STORAGE_KEY, backgroundOption(choice));
  } catch {
    // Storage blocked (e.g. a sandboxed iframe): the choice is just not remembered.
  }
}

/** The effect for `choice` (`null`: the raw camera), fetching its chunk, model and image on first use. */
export async function videoEffectFor(choice: BackgroundChoice, assetsUrl: string): Promise<VideoEffect | null> {
  return choice.type === 'none' ? null : (await import('./background-effect.js')).backgroundEffect(choice, assetsUrl);
}
