// Periods are whole months `YYYY-MM`, as the reports take them.

function toIndex(ym: string): number {
  const [y, m] = ym.split('-').map(Number);
  return (y ?? 0) * 12 + ((m ?? 1) - 1);
}

function fromIndex(i: number): string {
  const y = Math.floor(i / 12);
  const m = (i % 12) + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

export function isYearMonth(s: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

/** Every month from `from` to `to`, both included. */
export function monthsOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = toIndex(from); i <= toIndex(to); i++) out.push(fromIndex(i));
  return out;
}

/** The months just before, as many as the period has. */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const len = toIndex(to) - toIndex(from) + 1;
  return { from: fromIndex(toIndex(from) - len), to: fromIndex(toIndex(from) - 1) };
}

/** The calendar year of `month` up to its December. */
export function defaultPeriod(month: string): { from: string; to: string } {
  const year = month.slice(0, 4);
  return { from: `${year}-01`, to: `${year}-12` };
}

/** The first month the reports may cover (the program's first season). */
export const FIRST_MONTH = '2023-01';

/**
 * The months a period picker offers, newest last: from the first month to
 * the December two years after `now` (shows are sold ahead), and `chosen`
 * months outside that range too, so a period from a link stays as it is.
 */
export function pickableMonths(now: string, ...chosen: string[]): string[] {
  const last = `${Number(now.slice(0, 4)) + 2}-12`;
  const months = new Set(monthsOf(FIRST_MONTH, last));
  for (const c of chosen) if (isYearMonth(c)) months.add(c);
  return [...months].sort();
}
