// Numbers, money and dates through Intl with the UI's language; dates on
// Kazakhstan's clock (Asia/Almaty, UTC+5 since March 2024).
import type { Lang } from './i18n';

export const ZONE = 'Asia/Almaty';

/** Whether this browser's Intl really has Kazakh data: Chromium claims the
 * locale but ships ICU without it, printing months as "2026 M11" and numbers
 * with English separators. */
function hasKazakhData(): boolean {
  const november = new Intl.DateTimeFormat('kk-KZ', { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 10, 15)));
  return november.toLowerCase() === 'қараша';
}

const KAZAKH = hasKazakhData();

/** The Intl locale of a UI language: Kazakh and Russian as used in
 * Kazakhstan. Without Kazakh data, numbers take the Russian-in-Kazakhstan
 * conventions, which Kazakh shares (space groups, decimal comma, ₸ after). */
export function locale(lang: Lang): string {
  if (lang === 'en') return 'en';
  return lang === 'kk' && !KAZAKH ? 'ru-KZ' : `${lang}-KZ`;
}

const KK_MONTHS = ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'];

/** A month in Kazakh as ICU writes it ("2026 ж. қараша"), for browsers without Kazakh data. */
export function kazakhMonth(year: number, month: number): string {
  return `${year} ж. ${KK_MONTHS[month - 1] ?? ''}`;
}

export function formatCount(lang: Lang, n: number): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 0 }).format(n);
}

/** Tiyn (integer, 1 ₸ = 100 tiyn) as tenge with the ₸ sign; whole tenge
 * show no decimals. Exact for any amount below 2^53 tiyn. */
export function formatMoney(lang: Lang, tiyn: number): string {
  const whole = tiyn % 100 === 0;
  return new Intl.NumberFormat(locale(lang), {
    style: 'currency',
    currency: 'KZT',
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(tiyn / 100);
}

/** A 0–1 rate as a percentage with one decimal at most. */
export function formatRate(lang: Lang, rate: number): string {
  return new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

/** `YYYY-MM` as the month's name and year, e.g. "November 2026". */
export function formatMonth(lang: Lang, yearMonth: string): string {
  const [y, m] = yearMonth.split('-').map(Number);
  if (!y || !m) return yearMonth;
  if (lang === 'kk' && !KAZAKH) return kazakhMonth(y, m);
  // Mid-month at noon in UTC: the same month on every clock.
  const at = new Date(Date.UTC(y, m - 1, 15, 12));
  return new Intl.DateTimeFormat(locale(lang), { year: 'numeric', month: 'long', timeZone: ZONE }).format(at);
}

/** An instant (ISO 8601) as date and time on Kazakhstan's clock. Without
 * Kazakh data the date is written in numbers, which read the same in Kazakh. */
export function formatDateTime(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    dateStyle: lang === 'kk' && !KAZAKH ? 'short' : 'medium',
    timeStyle: 'short',
    timeZone: ZONE,
  }).format(new Date(iso));
}

/** A calendar day `YYYY-MM-DD` (no time, no zone) as the locale writes it. */
export function formatDay(lang: Lang, day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  const at = new Date(Date.UTC(y, m - 1, d, 12));
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: lang === 'kk' && !KAZAKH ? 'short' : 'medium', timeZone: 'UTC' }).format(at);
}

/** Today's month (`YYYY-MM`) on Kazakhstan's clock. */
export function currentMonth(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone: ZONE }).formatToParts(now);
  const y = parts.find((p) => p.type === 'year')?.value ?? '1970';
  const m = parts.find((p) => p.type === 'month')?.value ?? '01';
  return `${y}-${m}`;
}
