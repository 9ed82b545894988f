// The national view: period picker, KPI tiles with the change against the
// previous period (kept live by the nationalTotals subscription), the cities
// compared (sortable bar chart and its table), a city's drill-down (its
// months and seasons), the map, and monthly trends — each chart with its
// table view and the downloads of what it shows.
import { drawBars, drawLine, type SeriesPoint } from './charts';
import { h } from './dom';
import { FIGURE_KEYS, FIGURES, figureLabel, formatChange, formatFigure, valueOf, type FigureKey, type Value } from './figures';
import { formatMonth } from './format';
import type { CityDrillQuery, NationalDashboardQuery } from './gql/graphql';
import { translate, type Lang, type MessageKey } from './i18n';
import { keyToCity, mapOrder, mapPicture, unplaced, type MapCity } from './map';
import { monthsOf, previousPeriod } from './period';
import { chartBox, chartFrame, cityName, downloadButtons, figureSelect, label, monthsNote, periodForm, progress, tableView, TICKET_KEYS, type DownloadFn } from './view';

export type CitySort = 'desc' | 'asc' | 'name';
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

export interface DrillState {
  slug: string;
  data: CityDrillQuery | null;
  loading: boolean;
  error: MessageKey | null;
}

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
  mapFigure: FigureKey;
  drill: DrillState | null;
  drillFigure: FigureKey;
  live: LiveStatus;
}

export interface NationalActions {
  setPeriod(from: string, to: string): void;
  setCityFigure(f: FigureKey): void;
  setCitySort(s: CitySort): void;
  setTrendFigure(f: FigureKey): void;
  setMapFigure(f: FigureKey): void;
  openDrill(slug: string): void;
  closeDrill(): void;
  setDrillFigure(f: FigureKey): void;
  download: DownloadFn;
}

type Figures = NationalDashboardQuery['current']['totals'];
type Rows = { figures: Figures }[];
type After = (fn: () => void) => void;

/** Figures a chart can show (cities active is a count of rows, not a figure). */
export const CHART_KEYS = FIGURE_KEYS.filter((k) => k !== 'citiesActive');

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

export function valueCell(lang: Lang, key: FigureKey, v: Value): HTMLElement {
  return h('td', { 'data-value': v.kind === 'value' ? String(v.n) : v.kind }, formatFigure(lang, key, v));
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
  const liveKey: MessageKey = `live.${s.live}`;
  return h(
    'section',
    { 'aria-labelledby': 'kpi-heading' },
    label(s.lang, 'kpi.heading', 'h2', { id: 'kpi-heading' }),
    h('p', { class: 'muted', 'data-i18n': 'kpi.previous' }, translate(s.lang, 'kpi.previous', { from: formatMonth(s.lang, prev.from), to: formatMonth(s.lang, prev.to) })),
    h('p', { class: `live live-${s.live}`, id: 'live-status', role: 'status', 'data-live': s.live, 'data-i18n': liveKey }, translate(s.lang, liveKey)),
    h('ul', { class: 'tiles' }, tiles),
    monthsNote(s.lang),
  );
}

export function sortRows<T extends { name: string; value: Value }>(rows: T[], sort: CitySort, lang: Lang): T[] {
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

export function chartPoints(key: FigureKey, rows: { name: string; value: Value }[]): SeriesPoint[] {
  return rows.map((r) => ({
    label: r.name,
    // Money is drawn in tenge; the table and tooltip format it.
    value: r.value.kind === 'value' ? (FIGURES[key] === 'money' ? r.value.n / 100 : r.value.n) : null,
  }));
}

export function chartFormatter(lang: Lang, key: FigureKey): (n: number) => string {
  const scale = FIGURES[key] === 'money' ? 100 : 1;
  return (n) => formatFigure(lang, key, { kind: 'value', n: n * scale });
}

function figureHead(lang: Lang, key: FigureKey): HTMLElement {
  return h('th', { scope: 'col', 'data-i18n': `figure.${key}` }, figureLabel(lang, key));
}

function drillButton(s: NationalState, a: NationalActions, slug: string, name: string): HTMLElement {
  return h(
    'button',
    { type: 'button', class: 'link', id: `drill-${slug}`, 'data-drill': slug, 'aria-label': translate(s.lang, 'drill.open', { city: name }), onclick: () => a.openDrill(slug) },
    label(s.lang, 'drill.button'),
  );
}

function cityRows(s: NationalState, d: NationalDashboardQuery, key: FigureKey) {
  return d.current.rows.map((r) => ({
    name: r.city ? cityName(s.lang, r.city) : '',
    slug: r.city?.slug ?? '',
    value: valueOf(r.figures, key),
  }));
}

function cities(s: NationalState, a: NationalActions, d: NationalDashboardQuery, after: After): HTMLElement {
  const key = s.cityFigure;
  const rows = sortRows(cityRows(s, d, key), s.citySort, s.lang);
  const withheld = rows.filter((r) => r.value.kind === 'suppressed').map((r) => r.name);
  const title = translate(s.lang, 'cities.chart', { figure: figureLabel(s.lang, key) });
  const chart = chartBox(s.lang, 'cities', title, after, (el, text) => drawBars(el, text, chartPoints(key, rows), chartFormatter(s.lang, key)));
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
      figureSelect(s.lang, 'cities-figure', key, CHART_KEYS, a.setCityFigure),
      h('span', { class: 'sort-group', role: 'group', 'aria-label': translate(s.lang, 'cities.sort') }, sortButton('desc', 'cities.sortDesc'), sortButton('asc', 'cities.sortAsc'), sortButton('name', 'cities.sortName')),
      downloadButtons(s.lang, 'cities-download', { path: '/reports/national', query: { from: s.from, to: s.to, groupBy: 'city' } }, a.download),
    ),
    chart,
    withheld.length > 0 && h('p', { class: 'muted', 'data-i18n': 'cities.withheld' }, translate(s.lang, 'cities.withheld', { cities: withheld.join(', ') })),
    tableView(
      s.lang,
      'cities',
      [label(s.lang, 'table.city', 'th', { scope: 'col' }), figureHead(s.lang, key), label(s.lang, 'drill.column', 'th', { scope: 'col' })],
      rows.map((r) => h('tr', { 'data-city': r.slug }, h('th', { scope: 'row' }, r.name), valueCell(s.lang, key, r.value), h('td', {}, drillButton(s, a, r.slug, r.name)))),
      h('tr', {}, label(s.lang, 'table.total', 'th', { scope: 'row' }), valueCell(s.lang, key, valueOf(d.current.totals, key)), h('td', {})),
    ),
  );
}

/** Every month of the period with its value; months without a row had no
 * activity reported and read "no data", not 0. */
export function monthValues(lang: Lang, from: string, to: string, rows: readonly { month?: string | null; figures: Figures }[], key: FigureKey) {
  const byMonth = new Map(rows.map((r) => [r.month ?? '', r.figures]));
  return monthsOf(from, to).map((m) => {
    const f = byMonth.get(m);
    return { month: m, name: formatMonth(lang, m), value: f ? valueOf(f, key) : ({ kind: 'none' } as Value) };
  });
}

/** A line chart by month with its table view. */
export function monthChart(lang: Lang, id: string, title: string, key: FigureKey, rows: ReturnType<typeof monthValues>, after: After): HTMLElement[] {
  return [
    chartBox(lang, id, title, after, (el, text) => drawLine(el, text, chartPoints(key, rows), chartFormatter(lang, key))),
    tableView(
      lang,
      id,
      [label(lang, 'table.month', 'th', { scope: 'col' }), figureHead(lang, key)],
      rows.map((r) => h('tr', { 'data-month': r.month }, h('th', { scope: 'row' }, r.name), valueCell(lang, key, r.value))),
    ),
  ];
}

/** The monthly trends: a figure picker, the downloads of the months, and
 * the line chart with its table (the national view's and a chapter's). */
export function trendSection(
  s: { lang: Lang; from: string; to: string },
  key: FigureKey,
  rows: readonly { month?: string | null; figures: Figures }[],
  setFigure: (f: FigureKey) => void,
  download: { id: string; path: string; fn: DownloadFn },
  after: After,
): HTMLElement {
  const values = monthValues(s.lang, s.from, s.to, rows, key);
  const title = translate(s.lang, 'trends.chart', { figure: figureLabel(s.lang, key) });
  return h(
    'section',
    { 'aria-labelledby': 'trends-heading', id: 'trends' },
    label(s.lang, 'trends.heading', 'h2', { id: 'trends-heading' }),
    h(
      'div',
      { class: 'controls' },
      label(s.lang, 'cities.figure', 'label', { for: 'trends-figure' }),
      figureSelect(s.lang, 'trends-figure', key, CHART_KEYS, setFigure),
      downloadButtons(s.lang, download.id, { path: download.path, query: { from: s.from, to: s.to, groupBy: 'month' } }, download.fn),
    ),
    TICKET_KEYS.includes(key) && monthsNote(s.lang),
    ...monthChart(s.lang, 'trends', title, key, values, after),
  );
}

function map(s: NationalState, a: NationalActions, d: NationalDashboardQuery): HTMLElement {
  const key = s.mapFigure;
  const where = new Map(d.cities.map((c) => [c.slug, c]));
  const rows: MapCity[] = sortRows(cityRows(s, d, key), 'name', s.lang).map((r) => ({
    ...r,
    latitude: where.get(r.slug)?.latitude ?? null,
    longitude: where.get(r.slug)?.longitude ?? null,
  }));
  const title = translate(s.lang, 'map.chart', { figure: figureLabel(s.lang, key) });
  const box = chartFrame('map', `${title}. ${translate(s.lang, 'chart.keys')} ${translate(s.lang, 'map.keys')}`, 'chart map', 'group');
  box.append(mapPicture(s.lang, key, rows));
  const order = mapOrder(rows);
  box.addEventListener('keydown', (e) => keyToCity(e, order));
  const coord = (n: number | null) => h('td', {}, n === null ? translate(s.lang, 'noData') : n.toFixed(2));
  return h(
    'section',
    { 'aria-labelledby': 'map-heading', id: 'map' },
    label(s.lang, 'map.heading', 'h2', { id: 'map-heading' }),
    h('div', { class: 'controls' }, label(s.lang, 'map.figure', 'label', { for: 'map-figure' }), figureSelect(s.lang, 'map-figure', key, CHART_KEYS, a.setMapFigure)),
    box,
    unplaced(s.lang, rows),
    h('p', { class: 'muted small', 'data-i18n': 'map.source' }, translate(s.lang, 'map.source')),
    tableView(
      s.lang,
      'map',
      [label(s.lang, 'table.city', 'th', { scope: 'col' }), figureHead(s.lang, key), label(s.lang, 'map.latitude', 'th', { scope: 'col' }), label(s.lang, 'map.longitude', 'th', { scope: 'col' })],
      rows.map((r) => h('tr', { 'data-city': r.slug }, h('th', { scope: 'row' }, r.name), valueCell(s.lang, key, r.value), coord(r.latitude), coord(r.longitude))),
    ),
  );
}

/** A drill-down's seasons with the chosen figure (rows outside any season
 * are named so). */
export function seasonValues(lang: Lang, rows: readonly { season?: { id: string; title?: string | null } | null; figures: Figures }[], key: FigureKey) {
  return rows.map((r) => ({ id: r.season?.id ?? '', name: r.season?.title ?? translate(lang, 'drill.noSeason'), value: valueOf(r.figures, key) }));
}

/** The seasons as a bar chart with its table view (the same numbers). */
function seasonChart(lang: Lang, key: FigureKey, city: string, rows: ReturnType<typeof seasonValues>, after: After): HTMLElement[] {
  const title = translate(lang, 'drill.seasonsChart', { figure: figureLabel(lang, key), city });
  return [
    chartBox(lang, 'drill-seasons', title, after, (el, text) => drawBars(el, text, chartPoints(key, rows), chartFormatter(lang, key))),
    tableView(
      lang,
      'drill-seasons',
      [label(lang, 'table.season', 'th', { scope: 'col' }), figureHead(lang, key)],
      rows.map((r) => h('tr', { 'data-season': r.id }, h('th', { scope: 'row' }, r.name), valueCell(lang, key, r.value))),
    ),
  ];
}

function drill(s: NationalState, a: NationalActions, d: NationalDashboardQuery, after: After): HTMLElement | null {
  const dr = s.drill;
  if (!dr) return null;
  const city = d.current.rows.find((r) => r.city?.slug === dr.slug)?.city;
  const name = city ? cityName(s.lang, city) : dr.slug;
  const key = s.drillFigure;
  const section = h(
    'section',
    { 'aria-labelledby': 'drill-heading', id: 'drill', 'data-city': dr.slug, class: 'drill' },
    h('h2', { id: 'drill-heading', tabindex: -1, 'data-i18n': 'drill.heading' }, translate(s.lang, 'drill.heading', { city: name })),
    h(
      'div',
      { class: 'controls' },
      label(s.lang, 'cities.figure', 'label', { for: 'drill-figure' }),
      figureSelect(s.lang, 'drill-figure', key, CHART_KEYS, a.setDrillFigure),
      downloadButtons(s.lang, 'drill-download', { path: '/reports/national', query: { from: s.from, to: s.to, groupBy: 'month', city: dr.slug } }, a.download),
      h('button', { type: 'button', class: 'secondary', id: 'drill-close', 'data-i18n': 'drill.close', onclick: a.closeDrill }, translate(s.lang, 'drill.close')),
    ),
  );
  section.append(...progress(s.lang, dr.loading, dr.error));
  const data = dr.data;
  if (!data) return section;
  const months = monthValues(s.lang, s.from, s.to, data.months.rows, key);
  const title = translate(s.lang, 'drill.chart', { figure: figureLabel(s.lang, key), city: name });
  section.append(
    label(s.lang, 'drill.months', 'h3', { id: 'drill-months-heading' }),
    ...monthChart(s.lang, 'drill', title, key, months, after),
    label(s.lang, 'drill.seasons', 'h3', { id: 'drill-seasons-heading' }),
    ...seasonChart(s.lang, key, name, seasonValues(s.lang, data.seasons.rows, key), after),
  );
  return section;
}

export function nationalView(s: NationalState, a: NationalActions, after: After): HTMLElement {
  const main = h('div', { class: 'national' }, periodForm(s.lang, s.from, s.to, a.setPeriod), progress(s.lang, s.loading, s.error));
  const d = s.data;
  if (d) {
    main.append(kpiTiles(s, d), h('p', { class: 'note', id: 'suppressed-note', 'data-i18n': 'suppressed.note' }, translate(s.lang, 'suppressed.note')), cities(s, a, d, after));
    const dr = drill(s, a, d, after);
    if (dr) main.append(dr);
    main.append(map(s, a, d), trendSection(s, s.trendFigure, d.months.rows, a.setTrendFigure, { id: 'trends-download', path: '/reports/national', fn: a.download }, after));
  }
  return main;
}
