import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit';
import { LocalizeController, refreshLocalized, type Catalog, type StringOverrides } from './i18n/localize.js';

/**
 * What every Parley element shares: its strings come from the catalog of its language (its own `lang`
 * attribute or the nearest one around it), with overrides.
 */
export abstract class ParleyElement extends LitElement {
  static override properties: PropertyDeclarations = {
    strings: { attribute: false },
  };

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  /**
   * Replaces built-in strings for this element and everything inside it, e.g.
   * `room.strings = { join: 'Enter the room' }`. Keys are those of the English catalog.
   */
  strings: StringOverrides = {};

  readonly #localize = new LocalizeController(this);

  /** The strings to render with: the language's catalog plus overrides. */
  protected get text(): Catalog {
    return this.#localize.strings;
  }

  /** The language in effect (the nearest `lang` attribute), for formatting dates and numbers. */
  protected get locale(): string {
    return this.#localize.lang;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    // The elements inside this one follow its language.
    if (name === 'lang' && old !== value) refreshLocalized();
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // The elements inside this one read its overrides: let them render again.
    if (changed.has('strings') && changed.get('strings') !== undefined) refreshLocalized();
  }
}
