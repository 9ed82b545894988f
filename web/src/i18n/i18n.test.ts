import { describe, expect, it } from 'vitest';
import { CATALOGS, LANGS, pickLang, translate, type MessageKey } from './index';

describe('catalogs', () => {
  const keys = Object.keys(CATALOGS.en).sort();

  it('have the same keys and the same placeholders in every language', () => {
    for (const lang of LANGS) {
      expect(Object.keys(CATALOGS[lang]).sort()).toEqual(keys);
      for (const key of keys as MessageKey[]) {
        const holes = (m: unknown) => [...JSON.stringify(m).matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
        expect(new Set(holes(CATALOGS[lang][key])), `${lang} ${key}`).toEqual(new Set(holes(CATALOGS.en[key])));
      }
    }
  });

  it('translate every label differently in each language', () => {
    for (const key of keys as MessageKey[]) {
      const texts = LANGS.map((l) => translate(l, key, { count: 3, figure: 'x', cities: 'x', from: 'a', to: 'b', value: '1' }));
      expect(new Set(texts).size, key).toBe(3);
    }
  });

  it('choose plural forms by language', () => {
    expect(translate('en', 'cities.count', { count: 1 })).toBe('1 city');
    expect(translate('en', 'cities.count', { count: 3 })).toBe('3 cities');
    expect(translate('ru', 'cities.count', { count: 3 })).toBe('3 города');
    expect(translate('ru', 'cities.count', { count: 5 })).toBe('5 городов');
    expect(translate('ru', 'cities.count', { count: 21 })).toBe('21 город');
    expect(translate('kk', 'cities.count', { count: 5 })).toBe('5 қала');
  });
});

describe('the first language', () => {
  it('is the remembered one', () => {
    expect(pickLang('ru', ['kk-KZ'])).toBe('ru');
  });

  it('is Kazakh when the browser asks for it first', () => {
    expect(pickLang(null, ['kk-KZ', 'ru-RU', 'en'])).toBe('kk');
    expect(pickLang(null, ['ru-RU', 'kk'])).toBe('ru');
    expect(pickLang(null, ['de-DE', 'en-US'])).toBe('en');
  });

  it('falls back to Kazakh, the state language', () => {
    expect(pickLang(null, ['de-DE'])).toBe('kk');
    expect(pickLang('xx', [])).toBe('kk');
  });
});
