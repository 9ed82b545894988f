import { describe, expect, it } from 'vitest';
import { formatChange, formatFigure, valueOf } from './figures';

describe('withheld figures', () => {
  const figures = { applicants: 37, waitlisted: null, rejected: 0, retention: null, suppressed: ['waitlisted'] };

  it('read "fewer than 5" in every language, never 0', () => {
    const v = valueOf(figures, 'waitlisted');
    expect(v).toEqual({ kind: 'suppressed' });
    expect(formatFigure('en', 'waitlisted', v)).toBe('fewer than 5');
    expect(formatFigure('ru', 'waitlisted', v)).toBe('меньше 5');
    expect(formatFigure('kk', 'waitlisted', v)).toBe('5-тен аз');
  });

  it('read as withheld for a rate, which counts no one', () => {
    const v = valueOf({ attendanceRate: null, suppressed: ['attendanceRate'] }, 'attendanceRate');
    expect(v).toEqual({ kind: 'suppressed' });
    expect(formatFigure('en', 'attendanceRate', v)).toBe('withheld (fewer than 5)');
    expect(formatFigure('ru', 'retention', v)).toBe('скрыто (меньше 5)');
    expect(formatFigure('kk', 'retention', v)).toBe('жасырылған (5-тен аз)');
  });

  it('win over a value the API might still send', () => {
    expect(valueOf({ waitlisted: 0, suppressed: ['waitlisted'] }, 'waitlisted')).toEqual({ kind: 'suppressed' });
  });

  it('are told apart from a real zero and from no data', () => {
    expect(formatFigure('en', 'rejected', valueOf(figures, 'rejected'))).toBe('0');
    expect(formatFigure('en', 'retention', valueOf(figures, 'retention'))).toBe('no data');
  });

  it('give no change against the previous period', () => {
    expect(formatChange('en', 'waitlisted', { kind: 'suppressed' }, { kind: 'value', n: 12 })).toBe('no comparison');
  });
});

describe('change against the previous period', () => {
  it('is relative for counts and money', () => {
    expect(formatChange('en', 'applicants', { kind: 'value', n: 150 }, { kind: 'value', n: 100 })).toBe('up 50%');
    expect(formatChange('en', 'sponsorMoney', { kind: 'value', n: 50 }, { kind: 'value', n: 200 })).toBe('down 75%');
    expect(formatChange('en', 'applicants', { kind: 'value', n: 5 }, { kind: 'value', n: 0 })).toBe('new');
    expect(formatChange('en', 'applicants', { kind: 'value', n: 0 }, { kind: 'value', n: 0 })).toBe('no change');
  });

  it('is in percentage points for rates', () => {
    expect(formatChange('en', 'attendanceRate', { kind: 'value', n: 0.9 }, { kind: 'value', n: 0.85 })).toBe('+5 pp');
  });
});
