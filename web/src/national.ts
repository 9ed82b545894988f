// The national view: period picker, KPI tiles with the change against the
// previous period, the cities compared (sortable bar chart and its table),
// and monthly trends (line chart and its table).
import { drawBars, drawLine, mountChart, type SeriesPoint } from './charts';
import { h } from './dom';
import { FIGURE_KEYS, FIGURES, figureLabel, formatChange, formatFigure, valueOf, type FigureKey, type Value } from './figures';
import { formatMonth } from './format';
import type { NationalDashboardQuery } from './gql/graphql';
import { translate, type Lang, type MessageKey, type Params } from './i18n';
import { monthsOf, previousPeriod } from './period';

export type CitySort = 'desc' | 'asc' | 'name';

export interface NationalState {
  lang: Lang;
  from: string;
  to: string;
  data: NationalDashboardQuery | null;
  loading: boolean;
  error: MessageKey | null;
  cityFigure: FigureKey;
  citySort: CitySort;
  trendFigure: FigureKey;
}

export interface NationalActions {
  setPeriod(from: string, to: string): void;
  setCityFigure(f: FigureKey): void;
  setCitySort(s: CitySort): void;
  setTrendFigure(f: FigureKey): void;
}

type Figures = NationalDashboardQuery['current']['totals'];
type Rows = { figures: Figures }[];

/** Cities with any activity in the period (a figure above zero or withheld). */
function citiesActive(rows: Rows): number {
  return rows.filter(({ figures }) =>
    figures.suppressed.length > 0 ||
    FIGURE_KEYS.some((k) => {
      const v = (figures as Record<string, unknown>)[k];
      return typeof v === 'number' && v > 0;
    }),
  ).length;
}

function valueIn(figures: Figures, rows: Rows, key: FigureKey): Value {
  if (key === 'citiesActive') return { kind: 'value', n: citiesActive(rows) };
  return valueOf(figures, key);
}

function cityName(lang: Lang, c: { nameKk: string; nameRu: string; nameEn: string }): string {
  return lang === 'kk' ? c.nameKk : lang === 'ru' ? c.nameRu : c.nameEn;
}

function label(lang: Lang, key: MessageKey, tag: 'h2' | 'span' | 'label' | 'summary' | 'th' | 'legend' = 'span', attrs: Record<string, string> = {}, params: Params = {}) {
  return h(tag, { ...attrs, 'data-i18n': key }, translate(lang, key, params));
}

function figureSelect(lang: Lang, id: string, current: FigureKey, keys: FigureKey[], onChange: (f: FigureKey) => void) {
  return h(
    'select',
    { id, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value as FigureKey) },
    keys.map((k) => h('option', { value: k, selected: k === current, 'data-i18n': `figure.${k}` }, figureLabel(lang, k))),
  );
}

function periodForm(s: NationalState, a: NationalActions): HTMLElement {
  const t = (k: MessageKey) => translate(s.lang, k);
  const from = h('input', { type: 'month', id: 'period-from', name: 'from', value: s.from, required: true, min: '2023-01', max: '2100-12' });
  const to = h('input', { type: 'month', id: 'period-to', name: 'to', value: s.to, required: true, min: '2023-01', max: '2100-12' });
  const form = h(
    'form',
    {
      class: 'period',
      'aria-labelledby': 'period-heading',
      onsubmit: (e: Event) => {
        e.preventDefault();
        a.setPeriod(from.value, to.value);
      },
    },
    label(s.lang, 'period.heading', 'h2', { id: 'period-heading' }),
    label(s.lang, 'period.from', 'label', { for: 'period-from' }),
    from,
    label(s.lang, 'period.to', 'label', { for: 'period-to' }),
    to,
    h('button', { type: 'submit', 'data-i18n': 'period.show' }, t('period.show')),
  );
  return form;
}

function kpiTiles(s: NationalState, d: NationalDashboardQuery): HTMLElement {
  const prev = previousPeriod(s.from, s.to);
  const tiles = FIGURE_KEYS.map((key) => {
    const now = valueIn(d.current.totals, d.current.rows, key);
    const before = valueIn(d.previous.totals, d.previous.rows, key);
    return h(
      'li',
      { class: 'tile', 'data-figure': key, 'data-value': now.kind === 'value' ? String(now.n) : now.kind },
      h('span', { class: 'tile-label', 'data-i18n': `figure.${key}` }, figureLabel(s.lang, key)),
      h('span', { class: now.kind === 'suppressed' ? 'tile-value suppressed' : 'tile-value' }, formatFigure(s.lang, key, now)),
      h('span', { class: 'tile-change' }, formatChange(s.lang, key, now, before)),
    );
  });
  return h(
    'section',
    { 'aria-labelledby': 'kpi-heading' },
    label(s.lang, 'kpi.heading', 'h2', { id: 'kpi-heading' }),
    h('p', { class: 'muted', 'data-i18n': 'kpi.previous' }, translate(s.lang, 'kpi.previous', { from: formatMonth(s.lang, prev.from), to: formatMonth(s.lang, prev.to) })),
    h('ul', { class: 'tiles' }, tiles),
  );
}

function sortRows<T extends { name: string; value: Value }>(rows: T[], sort: CitySort, lang: Lang): T[] {
  const num = (v: Value) => (v.kind === 'value' ? v.n : null);
  return [...rows].sort((x, y) => {
    if (sort === 'name') return x.name.localeCompare(y.name, lang);
    const a = num(x.value);
    const b = num(y.value);
    // Withheld and unknown figures sort last either way, as the API does.
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
    return sort === 'desc' ? b - a : a - b;
  });
}

function chartPoints(key: FigureKey, rows: { name: string; value: Value }[]): SeriesPoint[] {
  return rows.map((r) => ({
    label: r.name,
    // Money is drawn in tenge; the table and tooltip format it.
    value: r.value.kind === 'value' ? (FIGURES[key] === 'money' ? r.value.n / 100 : r.value.n) : null,
  }));
}

function chartFormatter(lang: Lang, key: FigureKey): (n: number) => string {
  const scale = FIGURES[key] === 'money' ? 100 : 1;
  return (n) => formatFigure(lang, key, { kind: 'value', n: n * scale });
}

function cities(s: NationalState, a: NationalActions, d: NationalDashboardQuery, after: (fn: () => void) => void): HTMLElement {
  const key = s.cityFigure;
  const keys = FIGURE_KEYS.filter((k) => k !== 'citiesActive');
  const rows = sortRows(
    d.current.rows.map((r) => ({
      name: r.city ? cityName(s.lang, r.city) : '',
      slug: r.city?.slug ?? '',
      value: valueOf(r.figures, key),
    })),
    s.citySort,
    s.lang,
  );
  const withheld = rows.filter((r) => r.value.kind === 'suppressed').map((r) => r.name);
  const chartEl = h('div', { class: 'chart', id: 'cities-chart', role: 'img', 'aria-label': translate(s.lang, 'cities.chart', { figure: figureLabel(s.lang, key) }) });
  after(() => drawBars(mountChart(chartEl), chartEl.getAttribute('aria-label') ?? '', chartPoints(key, rows), chartFormatter(s.lang, key)));
  const sortButton = (sort: CitySort, k: MessageKey) =>
    h('button', { type: 'button', class: 'sort', 'aria-pressed': String(s.citySort === sort), 'data-i18n': k, id: `sort-${sort}`, onclick: () => a.setCitySort(sort) }, translate(s.lang, k));
  return h(
    'section',
    { 'aria-labelledby': 'cities-heading', id: 'cities' },
    label(s.lang, 'cities.heading', 'h2', { id: 'cities-heading' }),
    h('p', { class: 'muted', 'data-i18n': 'cities.count' }, translate(s.lang, 'cities.count', { count: rows.length })),
    h(
      'div',
      { class: 'controls' },
      label(s.lang, 'cities.figure', 'label', { for: 'cities-figure' }),
      figureSelect(s.lang, 'cities-figure', key, keys, a.setCityFigure),
      h('span', { class: 'sort-group', role: 'group', 'aria-label': translate(s.lang, 'cities.sort') }, sortButton('desc', 'cities.sortDesc'), sortButton('asc', 'cities.sortAsc'), sortButton('name', 'cities.sortName')),
    ),
    chartEl,
    withheld.length > 0 && h('p', { class: 'muted', 'data-i18n': 'cities.withheld' }, translate(s.lang, 'cities.withheld', { cities: withheld.join(', ') })),
    h(
      'details',
      { class: 'table-view', id: 'cities-table' },
      label(s.lang, 'table.view', 'summary'),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, label(s.lang, 'table.city', 'th', { scope: 'col' }), h('th', { scope: 'col', 'data-i18n': `figure.${key}` }, figureLabel(s.lang, key)))),
        h(
          'tbody',
          {},
          rows.map((r) => h('tr', { 'data-city': r.slug }, h('th', { scope: 'row' }, r.name), h('td', { 'data-value': r.value.kind === 'value' ? String(r.value.n) : r.value.kind }, formatFigure(s.lang, key, r.value)))),
        ),
        h('tfoot', {}, h('tr', {}, label(s.lang, 'table.total', 'th', { scope: 'row' }), h('td', {}, formatFigure(s.lang, key, valueOf(d.current.totals, key))))),
      ),
    ),
  );
}

function trends(s: NationalState, a: NationalActions, d: NationalDashboardQuery, after: (fn: () => void) => void): HTMLElement {
  const key = s.trendFigure;
  const keys = FIGURE_KEYS.filter((k) => k !== 'citiesActive');
  const byMonth = new Map(d.months.rows.map((r) => [r.month ?? '', r.figures]));
  // Months without a row had no activity reported: shown as "no data", not 0.
  const rows = monthsOf(s.from, s.to).map((m) => {
    const f = byMonth.get(m);
    return { month: m, name: formatMonth(s.lang, m), value: f ? valueOf(f, key) : ({ kind: 'none' } as Value) };
  });
  const chartEl = h('div', { class: 'chart', id: 'trends-chart', role: 'img', 'aria-label': translate(s.lang, 'trends.chart', { figure: figureLabel(s.lang, key) }) });
  after(() => drawLine(mountChart(chartEl), chartEl.getAttribute('aria-label') ?? '', chartPoints(key, rows), chartFormatter(s.lang, key)));
  return h(
    'section',
    { 'aria-labelledby': 'trends-heading', id: 'trends' },
    label(s.lang, 'trends.heading', 'h2', { id: 'trends-heading' }),
    h('div', { class: 'controls' }, label(s.lang, 'cities.figure', 'label', { for: 'trends-figure' }), figureSelect(s.lang, 'trends-figure', key, keys, a.setTrendFigure)),
    chartEl,
    h(
      'details',
      { class: 'table-view', id: 'trends-table' },
      label(s.lang, 'table.view', 'summary'),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, label(s.lang, 'table.month', 'th', { scope: 'col' }), h('th', { scope: 'col', 'data-i18n': `figure.${key}` }, figureLabel(s.lang, key)))),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-month': r.month }, h('th', { scope: 'row' }, r.name), h('td', { 'data-value': r.value.kind === 'value' ? String(r.value.n) : r.value.kind }, formatFigure(s.lang, key, r.value))))),
      ),
    ),
  );
}

export function nationalView(s: NationalState, a: NationalActions, after: (fn: () => void) => void): HTMLElement {
  const main = h('div', { class: 'national' }, periodForm(s, a));
  if (s.loading) main.append(h('p', { role: 'status', 'data-i18n': 'period.loading' }, translate(s.lang, 'period.loading')));
  if (s.error) main.append(h('p', { role: 'alert', class: 'error', 'data-i18n': s.error }, translate(s.lang, s.error)));
  const d = s.data;
  if (d) {
    main.append(
      kpiTiles(s, d),
      h('p', { class: 'note', id: 'suppressed-note', 'data-i18n': 'suppressed.note' }, translate(s.lang, 'suppressed.note')),
      cities(s, a, d, after),
      trends(s, a, d, after),
    );
  }
  return main;
}
