import { describe, expect, it } from 'vitest';
import { currentMonth, formatCount, formatDateTime, formatMoney, formatMonth, formatRate, kazakhMonth, locale } from './format';

// Intl may separate groups with a no-break space; compare on plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('numbers and money', () => {
  it('groups digits per language', () => {
    expect(formatCount('en', 1234567)).toBe('1,234,567');
    expect(plain(formatCount('ru', 1234567))).toBe('1 234 567');
    expect(plain(formatCount('kk', 1234567))).toBe('1 234 567');
  });

  it('shows tiyn as tenge with the ₸ sign', () => {
    expect(formatMoney('en', 27_900_000)).toBe('₸279,000');
    expect(formatMoney('en', 12_345)).toBe('₸123.45');
    expect(plain(formatMoney('ru', 27_900_000))).toBe('279 000 ₸');
    expect(formatMoney('kk', 5)).toContain('0,05');
    expect(formatMoney('kk', 5)).toContain('₸');
  });

  it('keeps every tiyn of a large amount', () => {
    expect(formatMoney('en', 123_456_789_012_34)).toBe('₸123,456,789,012.34');
  });

  it('shows rates as percentages', () => {
    expect(formatRate('en', 0.8778)).toBe('87.8%');
    expect(plain(formatRate('ru', 1))).toBe('100 %');
  });
});

describe('dates on Kazakhstan’s clock', () => {
  it('names a month in each language', () => {
    expect(formatMonth('en', '2026-11')).toBe('November 2026');
    expect(formatMonth('ru', '2026-11').toLowerCase()).toContain('ноябрь');
    expect(formatMonth('kk', '2026-11').toLowerCase()).toContain('қараша');
  });

  it('writes Kazakh months as ICU does where a browser lacks Kazakh data', () => {
    for (let m = 1; m <= 12; m++) {
      const ym = `2026-${String(m).padStart(2, '0')}`;
      expect(kazakhMonth(2026, m)).toBe(formatMonth('kk', ym));
    }
    expect(locale('kk')).toBe('kk-KZ');
  });

  it('shows an instant in UTC+5', () => {
    // 19:30 UTC on 31 December is 00:30 on 1 January in Almaty.
    expect(formatDateTime('en', '2026-12-31T19:30:00Z')).toBe('Jan 1, 2027, 12:30 AM');
  });

  it('takes today’s month from Almaty, not from UTC', () => {
    expect(currentMonth(new Date('2026-11-30T19:30:00Z'))).toBe('2026-12');
    expect(currentMonth(new Date('2026-11-30T18:59:00Z'))).toBe('2026-11');
  });
});
