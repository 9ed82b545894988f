import { describe, expect, it } from 'vitest';
import { fileName } from './api';

describe('a download keeps the name the server gives it', () => {
  it('reads the file name of a Content-Disposition header', () => {
    expect(fileName('attachment; filename="national-report.csv"')).toBe('national-report.csv');
    expect(fileName('attachment; filename=almaty-report.xlsx')).toBe('almaty-report.xlsx');
    expect(fileName("attachment; filename*=UTF-8''national-report-almaty.csv")).toBe('national-report-almaty.csv');
    expect(fileName(null)).toBeNull();
    expect(fileName('inline')).toBeNull();
  });
});
