import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit';
import { LocalizeController, refreshLocalized, type Catalog, type StringOverrides } from './i18n/localize.js';

/** A custom element class, with the elements it renders (see `ParleyElement.dependencies`). */
export type Definable = CustomElementConstructor & { dependencies?: Record<string, Definable> };

/**
 * Defines `tag`, after the elements it renders, each unless it already is: a module may be loaded twice (an app
 * bundle and `/parley.js`), and a page may define a tag before Parley does. Before, not from inside
 * `customElements.define`: the browser refuses a definition while another is being processed.
 */
export function define(tag: string, element: Definable): void {
  for (const dependency in element.dependencies) define(dependency, element.dependencies[dependency]!);
  if (!customElements.get(tag)) customElements.define(tag, element);
}

/**
 * What every Parley element shares: its strings come from the catalog of its language (its own `lang`
 * attribute or the nearest one around it), with overrides; the elements it renders are defined with it.
 */
export abstract class ParleyElement extends LitElement {
  /**
   * The elements this one renders, by tag: `define` defines them with this one (Shoelace-style), so a component
   * needs no side-effect import of its children. Elements fetched on demand (the call's chunk, the side
   * panels, notices) are not listed here: that would put them in the first download.
   */
  declare static dependencies?: Record<string, Definable>;

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
