import { describe, expect, it } from 'vitest';
import { defaultPeriod, FIRST_MONTH, isYearMonth, monthsOf, pickableMonths, previousPeriod } from './period';

describe('periods', () => {
  it('compare with as many months just before', () => {
    expect(previousPeriod('2026-01', '2026-12')).toEqual({ from: '2025-01', to: '2025-12' });
    expect(previousPeriod('2026-02', '2026-04')).toEqual({ from: '2025-11', to: '2026-01' });
  });

  it('list their months across a new year', () => {
    expect(monthsOf('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
  });

  it('are picked from the first month to two years ahead, and a chosen one outside stays', () => {
    const months = pickableMonths('2026-12');
    expect(months[0]).toBe(FIRST_MONTH);
    expect(months.at(-1)).toBe('2028-12');
    expect(months).toHaveLength(6 * 12);
    expect(pickableMonths('2026-12', '2022-05', '2026-03', 'junk')).toEqual(['2022-05', ...months]);
  });

  it('default to the calendar year', () => {
    expect(defaultPeriod('2026-12')).toEqual({ from: '2026-01', to: '2026-12' });
  });

  it('accept only YYYY-MM', () => {
    expect(isYearMonth('2026-03')).toBe(true);
    expect(isYearMonth('2026-13')).toBe(false);
    expect(isYearMonth('2026-3')).toBe(false);
  });
});
