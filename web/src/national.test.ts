import { describe, expect, it } from 'vitest';
import type { Value } from './figures';
import { chartPoints, monthValues, sortRows } from './national';

const v = (n: number): Value => ({ kind: 'value', n });

describe('the national view', () => {
  it('sorts cities by value with withheld ones last either way, or by name', () => {
    const rows = [
      { name: 'Astana', value: v(7) },
      { name: 'Almaty', value: { kind: 'suppressed' } as Value },
      { name: 'Shymkent', value: v(12) },
    ];
    expect(sortRows(rows, 'desc', 'en').map((r) => r.name)).toEqual(['Shymkent', 'Astana', 'Almaty']);
    expect(sortRows(rows, 'asc', 'en').map((r) => r.name)).toEqual(['Astana', 'Shymkent', 'Almaty']);
    expect(sortRows(rows, 'name', 'en').map((r) => r.name)).toEqual(['Almaty', 'Astana', 'Shymkent']);
  });

  it('gives every month of the period a value, "no data" where no row came', () => {
    const figures = { sessionsHeld: 9, suppressed: [] } as unknown as Parameters<typeof monthValues>[3][number]['figures'];
    const rows = monthValues('en', '2026-10', '2026-12', [{ month: '2026-11', figures }], 'sessionsHeld');
    expect(rows.map((r) => [r.month, r.value])).toEqual([
      ['2026-10', { kind: 'none' }],
      ['2026-11', { kind: 'value', n: 9 }],
      ['2026-12', { kind: 'none' }],
    ]);
  });

  it('draws money in tenge and withheld figures as gaps', () => {
    expect(chartPoints('ticketRevenue', [{ name: 'x', value: v(250_000) }])).toEqual([{ label: 'x', value: 2500 }]);
    expect(chartPoints('applicants', [{ name: 'x', value: { kind: 'suppressed' } }])).toEqual([{ label: 'x', value: null }]);
  });
});
