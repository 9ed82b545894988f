// Messages per language (kk, ru, en) with plurals by Intl.PluralRules; no
// string is written in a component. The choice is remembered in localStorage
// (only the language: the access token never leaves memory).
import { locale } from '../format';
import { en } from './en';
import { kk } from './kk';
import { ru } from './ru';

export type Lang = 'kk' | 'ru' | 'en';
export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];
export type MessageKey = keyof typeof en;
/** A plain message, or plural forms chosen by the `count` parameter. */
export type Message = string | ({ other: string } & Partial<Record<Intl.LDMLPluralRule, string>>);
export type Catalog = Record<MessageKey, Message>;

export const CATALOGS: Record<Lang, Catalog> = { kk, ru, en };
/** Each language's name in itself, for the switcher. */
export const LANG_NAMES: Record<Lang, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

const STORAGE_KEY = 'soi.lang';

/** The remembered choice, else the first of the browser's languages we have
 * (so Kazakh comes first for a browser that asks for it), else Kazakh, the
 * state language. */
export function pickLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored && (LANGS as readonly string[]).includes(stored)) return stored as Lang;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base && (LANGS as readonly string[]).includes(base)) return base as Lang;
  }
  return 'kk';
}

export function initialLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled; the browser's languages still decide.
  }
  return pickLang(stored, navigator.languages ?? [navigator.language]);
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered when storage is disabled; nothing else breaks.
  }
}

export type Params = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  const msg = CATALOGS[lang][key];
  let text: string;
  if (typeof msg === 'string') {
    text = msg;
  } else {
    const count = Number(params['count'] ?? 0);
    const rule = new Intl.PluralRules(lang).select(count);
    text = msg[rule] ?? msg.other;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? new Intl.NumberFormat(locale(lang)).format(value) : value;
  });
}
