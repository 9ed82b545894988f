// Pieces every view shares: labelled elements, the figure picker, the period
// form, and a chart with its table view (the same numbers, for screen readers
// and copy-paste) and the downloads of what it shows.
import { h } from './dom';
import { figureLabel, type FigureKey } from './figures';
import { currentMonth, formatMonth } from './format';
import { pickableMonths } from './period';
import { translate, type Lang, type MessageKey, type Params } from './i18n';

type Tag = 'h2' | 'h3' | 'span' | 'label' | 'summary' | 'th' | 'legend' | 'p' | 'caption';

export function label(lang: Lang, key: MessageKey, tag: Tag = 'span', attrs: Record<string, string> = {}, params: Params = {}) {
  return h(tag, { ...attrs, 'data-i18n': key }, translate(lang, key, params));
}

export function cityName(lang: Lang, c: { nameKk: string; nameRu: string; nameEn: string }): string {
  return lang === 'kk' ? c.nameKk : lang === 'ru' ? c.nameRu : c.nameEn;
}

export function figureSelect(lang: Lang, id: string, current: FigureKey, keys: readonly FigureKey[], onChange: (f: FigureKey) => void) {
  return h(
    'select',
    { id, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value as FigureKey) },
    keys.map((k) => h('option', { value: k, selected: k === current, 'data-i18n': `figure.${k}` }, figureLabel(lang, k))),
  );
}

/**
 * A month picker named in the page's language. The browser's own month input
 * speaks the browser's language ("September 2026" on a Kazakh page), so the
 * months are a list of options written as the rest of the page writes them.
 */
function monthSelect(lang: Lang, id: string, name: string, value: string): HTMLSelectElement {
  const months = pickableMonths(currentMonth(), value);
  return h(
    'select',
    { id, name, required: true },
    months.map((m) => h('option', { value: m, selected: m === value }, formatMonth(lang, m))),
  );
}

export function periodForm(lang: Lang, from: string, to: string, setPeriod: (from: string, to: string) => void): HTMLElement {
  const fromEl = monthSelect(lang, 'period-from', 'from', from);
  const toEl = monthSelect(lang, 'period-to', 'to', to);
  return h(
    'form',
    {
      class: 'period',
      'aria-labelledby': 'period-heading',
      onsubmit: (e: Event) => {
        e.preventDefault();
        setPeriod(fromEl.value, toEl.value);
      },
    },
    label(lang, 'period.heading', 'h2', { id: 'period-heading' }),
    label(lang, 'period.from', 'label', { for: 'period-from' }),
    fromEl,
    label(lang, 'period.to', 'label', { for: 'period-to' }),
    toEl,
    h('button', { type: 'submit', 'data-i18n': 'period.show' }, translate(lang, 'period.show')),
  );
}

/** A download of what a section shows: the report endpoint and its query. */
export interface Download {
  path: string;
  query: Record<string, string>;
}

export type DownloadFn = (format: 'csv' | 'xlsx', d: Download) => void;

export function downloadButtons(lang: Lang, id: string, d: Download, download: DownloadFn): HTMLElement {
  return h(
    'span',
    { class: 'downloads', role: 'group', 'aria-label': translate(lang, 'download.group') },
    h('button', { type: 'button', class: 'secondary', id: `${id}-csv`, 'data-i18n': 'download.csv', onclick: () => download('csv', d) }, translate(lang, 'download.csv')),
    h('button', { type: 'button', class: 'secondary', id: `${id}-xlsx`, 'data-i18n': 'download.xlsx', onclick: () => download('xlsx', d) }, translate(lang, 'download.xlsx')),
  );
}

/**
 * A chart's box: focusable, labelled, and Enter or Space opens its table
 * view and moves the keyboard there. `draw` runs once the box is in the page,
 * with the label to give the chart.
 */
export function chartBox(lang: Lang, id: string, title: string, after: (fn: () => void) => void, draw: (el: HTMLElement, label: string) => void): HTMLElement {
  // ECharts' aria component writes its description into aria-label: the
  // same text, so the keys are announced either way.
  const full = `${title}. ${translate(lang, 'chart.keys')}`;
  const el = chartFrame(id, full);
  after(() => draw(el, full));
  return el;
}

/** The focusable, labelled box of a chart `id`: Enter or Space opens its
 * table view (`id-table`). */
export function chartFrame(id: string, label: string, className = 'chart', role: 'img' | 'group' = 'img'): HTMLElement {
  return h('div', {
    class: className,
    id: `${id}-chart`,
    role,
    tabindex: 0,
    'aria-label': label,
    onkeydown: (e: Event) => {
      const k = (e as KeyboardEvent).key;
      if (k !== 'Enter' && k !== ' ') return;
      e.preventDefault();
      openTable(id);
    },
  });
}

/** Opens a section's table view and puts the keyboard on it. */
export function openTable(id: string): void {
  const details = document.getElementById(`${id}-table`) as HTMLDetailsElement | null;
  if (!details) return;
  details.open = true;
  details.querySelector('summary')?.focus();
}

/** A table view: a disclosure with a table of the chart's numbers. */
export function tableView(lang: Lang, id: string, head: HTMLElement[], rows: HTMLElement[], foot?: HTMLElement): HTMLElement {
  return h(
    'details',
    { class: 'table-view', id: `${id}-table` },
    label(lang, 'table.view', 'summary'),
    h('table', {}, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows), foot && h('tfoot', {}, foot)),
  );
}

/** "Loading…" while a request runs, and the error of the last one. */
export function progress(lang: Lang, loading: boolean, error: MessageKey | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (loading) out.push(h('p', { role: 'status', 'data-i18n': 'period.loading' }, translate(lang, 'period.loading')));
  if (error) out.push(h('p', { role: 'alert', class: 'error', 'data-i18n': error }, translate(lang, error)));
  return out;
}

/** Figures counted in different months: tickets in the show's month,
 * ticket revenue in the payment's. */
export const TICKET_KEYS: readonly FigureKey[] = ['ticketsSold', 'ticketsCheckedIn', 'ticketRevenue'];

/** Says which month tickets and ticket revenue are counted in. */
export function monthsNote(lang: Lang): HTMLElement {
  return label(lang, 'kpi.monthsNote', 'p', { class: 'muted small months-note' });
}
