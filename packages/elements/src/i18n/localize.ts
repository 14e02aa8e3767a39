import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en } from './en.js';

type Widen<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => string
    ? (...args: A) => string
    : T[K] extends readonly string[]
      ? readonly string[]
      : T[K] extends Readonly<Record<string, string>>
        ? { readonly [P in keyof T[K]]: string }
        : string;
};

/** Every user-visible string of the elements. A translation provides all of them; see `en.ts`. */
export type Catalog = Widen<typeof en>;

/** Strings that replace the catalog's, e.g. `{ join: 'Enter the room' }`. */
export type StringOverrides = Partial<Catalog>;

/** An element with a `strings` property: its overrides apply to it and to every element inside it. */
interface LocalizedHost extends ReactiveControllerHost, HTMLElement {
  strings?: StringOverrides;
}

const catalogs = new Map<string, Catalog>([['en', en]]);

/** Shipped translations, fetched the first time a page asks for them so `/parley.js` carries English only. */
const shipped: Record<string, () => Promise<{ default: Catalog }>> = {
  de: () => import('./locales/de.js'),
  es: () => import('./locales/es.js'),
  fr: () => import('./locales/fr.js'),
};
const loading = new Set<string>();

const connected = new Set<LocalizeController>();
let langObserver: MutationObserver | null = null;

/** Languages with a catalog: English, the shipped translations, and any registered by the page. */
export function availableLanguages(): string[] {
  return [...new Set([...catalogs.keys(), ...Object.keys(shipped)])].sort();
}

/**
 * Adds or replaces the catalog for `lang` (a BCP 47 tag such as `it` or `pt-br`). Missing strings fall back to
 * English, so a partial translation still renders whole.
 */
export function registerTranslation(lang: string, catalog: StringOverrides): void {
  catalogs.set(lang.toLowerCase(), { ...en, ...catalog });
  refreshLocalized();
}

/** Re-renders every connected element, e.g. after a catalog arrived or overrides changed. */
export function refreshLocalized(): void {
  for (const controller of connected) controller.refresh();
}

/** The catalog for `lang`: exact tag, then its primary language, then English. Starts fetching a shipped one. */
function catalogFor(lang: string): Catalog {
  const tag = lang.toLowerCase();
  const primary = tag.split('-')[0]!;
  const found = catalogs.get(tag) ?? catalogs.get(primary);
  if (found) return found;
  const load = shipped[primary];
  if (load && !loading.has(primary)) {
    loading.add(primary);
    load().then(
      (module) => registerTranslation(primary, module.default),
      // A catalog that failed to load (offline, blocked) leaves English in place; asking again retries.
      () => loading.delete(primary),
    );
  }
  return en;
}

/** From `element` outwards through shadow roots to the document: the element and each of its hosts. */
function* composedAncestors(element: Element): Generator<Element> {
  let node: Node | null = element;
  while (node) {
    if (node instanceof Element) yield node;
    node = node.parentNode ?? (node as ShadowRoot).host ?? null;
  }
}

/**
 * Gives an element its strings: the catalog of the nearest `lang` attribute (looking out through shadow roots,
 * so `<meeting-room lang="de">` covers everything it renders, and `<html lang>` covers the rest), with the
 * `strings` overrides of the element and its hosts applied, innermost winning.
 */
export class LocalizeController implements ReactiveController {
  readonly #host: LocalizedHost;
  #strings: Catalog = en;
  #lang = '';

  constructor(host: LocalizedHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The strings as of the host's last update. */
  get strings(): Catalog {
    return this.#strings;
  }

  /** The language tag in effect as of the host's last update ('' when none is set anywhere). */
  get lang(): string {
    return this.#lang;
  }

  hostConnected(): void {
    connected.add(this);
    if (!langObserver) {
      // One observer for the whole page: a `lang` change anywhere in the light DOM re-renders the elements.
      langObserver = new MutationObserver(refreshLocalized);
      langObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
    }
  }

  hostDisconnected(): void {
    connected.delete(this);
  }

  hostUpdate(): void {
    this.#strings = this.#resolve();
  }

  refresh(): void {
    this.#host.requestUpdate();
  }

  #resolve(): Catalog {
    let lang = '';
    const overrides: StringOverrides[] = [];
    for (const element of composedAncestors(this.#host)) {
      if (!lang && element.hasAttribute('lang')) lang = element.getAttribute('lang')!;
      const own = (element as LocalizedHost).strings;
      if (own && Object.keys(own).length > 0) overrides.unshift(own);
    }
    this.#lang = lang;
    const catalog = catalogFor(lang || 'en');
    return overrides.length === 0 ? catalog : Object.assign({}, catalog, ...overrides);
  }
}
