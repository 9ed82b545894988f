import { describe, expect, it } from 'vitest';
import { fileName, renewDelayMs } from './api';

describe('a download keeps the name the server gives it', () => {
  it('reads the file name of a Content-Disposition header', () => {
    expect(fileName('attachment; filename="national-report.csv"')).toBe('national-report.csv');
    expect(fileName('attachment; filename=almaty-report.xlsx')).toBe('almaty-report.xlsx');
    expect(fileName("attachment; filename*=UTF-8''national-report-almaty.csv")).toBe('national-report-almaty.csv');
    expect(fileName(null)).toBeNull();
    expect(fileName('inline')).toBeNull();
  });
});

describe('the access token', () => {
  it('is renewed a minute before it expires, never sooner than 5 s', () => {
    expect(renewDelayMs(900)).toBe(840_000);
    expect(renewDelayMs(60)).toBe(5_000);
    expect(renewDelayMs(0)).toBe(5_000);
  });
});
