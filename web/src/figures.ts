// The report's figures: what each is, how it is shown, and how a withheld
// one reads ("fewer than 5", never 0; a rate "withheld (fewer than 5)").
import { formatCount, formatMoney, formatRate, locale } from './format';
import { translate, type Lang, type MessageKey } from './i18n';

export type Kind = 'count' | 'money' | 'rate';

export const FIGURES = {
  citiesActive: 'count',
  applicants: 'count',
  accepted: 'count',
  waitlisted: 'count',
  rejected: 'count',
  active: 'count',
  completed: 'count',
  withdrawn: 'count',
  retention: 'rate',
  attendanceRate: 'rate',
  sessionsHeld: 'count',
  sessionsCancelled: 'count',
  activeCoaches: 'count',
  skillsPassed: 'count',
  showsHeld: 'count',
  ticketsSold: 'count',
  ticketsCheckedIn: 'count',
  ticketRevenue: 'money',
  sponsorMoney: 'money',
  expenses: 'money',
  givenToCauses: 'money',
  beneficiaries: 'count',
} as const satisfies Record<string, Kind>;

export type FigureKey = keyof typeof FIGURES;
export const FIGURE_KEYS = Object.keys(FIGURES) as FigureKey[];

/** A figure's value: a number, withheld, or not known (no rows). */
export type Value = { kind: 'value'; n: number } | { kind: 'suppressed' } | { kind: 'none' };

/** What the API's figures say of one figure: `null` and named in
 * `suppressed` is withheld; `null` otherwise has no data. */
export function valueOf(
  figures: Partial<Record<string, unknown>> & { suppressed?: readonly string[] },
  key: string,
): Value {
  if (figures.suppressed?.includes(key)) return { kind: 'suppressed' };
  const v = figures[key];
  return typeof v === 'number' ? { kind: 'value', n: v } : { kind: 'none' };
}

export function figureLabel(lang: Lang, key: FigureKey): string {
  return translate(lang, `figure.${key}` as MessageKey);
}

export function formatFigure(lang: Lang, key: FigureKey, v: Value): string {
  // A withheld rate is no count: it reads as withheld, naming the rule.
  if (v.kind === 'suppressed') return translate(lang, FIGURES[key] === 'rate' ? 'suppressed.rate' : 'suppressed.value');
  if (v.kind === 'none') return translate(lang, 'noData');
  switch (FIGURES[key]) {
    case 'money':
      return formatMoney(lang, v.n);
    case 'rate':
      return formatRate(lang, v.n);
    default:
      return formatCount(lang, v.n);
  }
}

/** The change against the previous period: relative for counts and money,
 * in percentage points for rates; nothing to say when either side is withheld. */
export function formatChange(lang: Lang, key: FigureKey, now: Value, before: Value): string {
  if (now.kind !== 'value' || before.kind !== 'value') return translate(lang, 'change.unknown');
  const diff = now.n - before.n;
  if (diff === 0) return translate(lang, 'change.none');
  if (FIGURES[key] === 'rate') {
    const pp = new Intl.NumberFormat(locale(lang), {
      maximumFractionDigits: 1,
      signDisplay: 'always',
    }).format(diff * 100);
    return translate(lang, 'change.points', { value: pp });
  }
  if (before.n === 0) return translate(lang, 'change.new');
  const rel = formatRate(lang, Math.abs(diff) / Math.abs(before.n));
  return translate(lang, diff > 0 ? 'change.up' : 'change.down', { value: rel });
}
