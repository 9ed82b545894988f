// The chapter view (a chapter admin's own city): the city's figures for the
// period with the national median beside each, its months (chart and
// table), the sessions coming up, applications waiting for a decision,
// coach certificates running out, and the next show's ticket sales.
import { h } from './dom';
import { FIGURE_KEYS, figureLabel, formatFigure, valueOf, type FigureKey } from './figures';
import { formatDateTime, formatDay, formatMoney, formatCount } from './format';
import type { ChapterDashboardQuery, ChapterDetailsQuery } from './gql/graphql';
import { translate, type Lang, type MessageKey } from './i18n';
import { trendSection } from './national';
import { cityName, label, monthsNote, periodForm, progress, type DownloadFn } from './view';

export interface ChapterState {
  lang: Lang;
  from: string;
  to: string;
  chapter: ChapterDashboardQuery | null;
  details: ChapterDetailsQuery | null;
  loading: boolean;
  error: MessageKey | null;
  chapterFigure: FigureKey;
}

export interface ChapterActions {
  setPeriod(from: string, to: string): void;
  setChapterFigure(f: FigureKey): void;
  download: DownloadFn;
}

type After = (fn: () => void) => void;
type Event = ChapterDashboardQuery['events'][number];

/** The first published ice show that has not begun: the one on sale. */
export function nextShow(events: readonly Event[], now: Date = new Date()): Event | null {
  const coming = events
    .filter((e) => e.kind === 'ICE_SHOW' && e.status === 'PUBLISHED' && new Date(e.startsAt) > now)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return coming[0] ?? null;
}

/** The season whose groups train now (else the newest). */
export function currentSeason(seasons: readonly { id: string; phase: string }[]): string | null {
  return (seasons.find((s) => s.phase === 'TRAINING') ?? seasons[0])?.id ?? null;
}

/** Figures shown on the chapter's tiles: every figure but cities active. */
const TILE_KEYS = FIGURE_KEYS.filter((k) => k !== 'citiesActive');

function tiles(s: ChapterState, d: ChapterDashboardQuery): HTMLElement {
  const median = d.report.nationalMedian;
  const items = TILE_KEYS.map((key) => {
    const v = valueOf(d.report.totals, key);
    const m = median ? valueOf(median, key) : null;
    return h(
      'li',
      { class: 'tile', 'data-figure': key, 'data-value': v.kind === 'value' ? String(v.n) : v.kind, 'data-median': m && m.kind === 'value' ? String(m.n) : (m?.kind ?? 'none') },
      h('span', { class: 'tile-label', 'data-i18n': `figure.${key}` }, figureLabel(s.lang, key)),
      h('span', { class: 'tile-value' }, formatFigure(s.lang, key, v)),
      m && h('span', { class: 'tile-change', 'data-i18n': 'chapter.median' }, translate(s.lang, 'chapter.median', { value: formatFigure(s.lang, key, m) })),
    );
  });
  const note: MessageKey = median ? 'chapter.medianNote' : 'chapter.noMedian';
  return h(
    'section',
    { 'aria-labelledby': 'kpi-heading' },
    label(s.lang, 'kpi.heading', 'h2', { id: 'kpi-heading' }),
    h('p', { class: 'muted', 'data-i18n': note }, translate(s.lang, note, { count: d.report.citiesCompared })),
    h('ul', { class: 'tiles' }, items),
    monthsNote(s.lang),
  );
}

/** A titled list as a table, or a line saying there is nothing. */
function listSection(lang: Lang, id: string, heading: MessageKey, empty: MessageKey, head: MessageKey[], rows: HTMLElement[]): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': `${id}-heading`, id },
    label(lang, heading, 'h2', { id: `${id}-heading` }),
    rows.length === 0
      ? h('p', { class: 'muted', 'data-i18n': empty }, translate(lang, empty))
      : h('table', { 'aria-labelledby': `${id}-heading` }, h('thead', {}, h('tr', {}, head.map((k) => label(lang, k, 'th', { scope: 'col' })))), h('tbody', {}, rows)),
  );
}

const text = (t: string) => h('td', { class: 'text' }, t);

function sessions(s: ChapterState, d: ChapterDashboardQuery): HTMLElement {
  const rinks = new Map(d.rinks.map((r) => [r.id, r.name]));
  const groups = new Map((s.details?.groups ?? []).map((g) => [g.id, g.name]));
  const rows = d.upcomingSessions.map((x) =>
    h('tr', { 'data-session': x.id }, h('th', { scope: 'row' }, formatDateTime(s.lang, x.startsAt)), text(groups.get(x.groupId) ?? '—'), text(rinks.get(x.rinkId) ?? '—')),
  );
  return listSection(s.lang, 'sessions', 'chapter.sessions', 'chapter.noSessions', ['chapter.when', 'chapter.group', 'chapter.rink'], rows);
}

function applications(s: ChapterState, d: ChapterDashboardQuery): HTMLElement {
  const rows = d.seasons.nodes.flatMap((season) =>
    [...season.applied.nodes, ...season.waitlisted.nodes].map((app) => {
      const status: MessageKey = app.status === 'WAITLISTED' ? 'chapter.waitlisted' : 'chapter.applied';
      const name = app.participant ? `${app.participant.firstName} ${app.participant.lastName}` : '—';
      return h(
        'tr',
        { 'data-application': app.id, 'data-status': app.status },
        h('th', { scope: 'row' }, name),
        text(season.title),
        text(formatDateTime(s.lang, app.appliedAt)),
        h('td', { class: 'text', 'data-i18n': status }, translate(s.lang, status)),
      );
    }),
  );
  return listSection(s.lang, 'applications', 'chapter.applications', 'chapter.noApplications', ['chapter.applicant', 'chapter.season', 'chapter.appliedAt', 'chapter.status'], rows);
}

function certificates(s: ChapterState, d: ChapterDashboardQuery): HTMLElement {
  const coaches = new Map(d.coaches.nodes.map((c) => [c.id, `${c.firstName} ${c.lastName}`]));
  const today = new Date().toISOString().slice(0, 10);
  const rows = d.certificatesExpiring.map((c) => {
    const expired = (c.expiresOn ?? '') < today;
    const state: MessageKey = expired ? 'chapter.expired' : 'chapter.expires';
    return h(
      'tr',
      { 'data-certificate': c.id },
      h('th', { scope: 'row' }, coaches.get(c.coachId) ?? '—'),
      text(c.title),
      h('td', { class: 'text', 'data-i18n': state }, translate(s.lang, state, { day: c.expiresOn ? formatDay(s.lang, c.expiresOn) : '' })),
    );
  });
  return listSection(s.lang, 'certificates', 'chapter.certificates', 'chapter.noCertificates', ['chapter.coach', 'chapter.certificate', 'chapter.validUntil'], rows);
}

function show(s: ChapterState, d: ChapterDashboardQuery): HTMLElement {
  const event = nextShow(d.events);
  const sales = s.details?.eventSales;
  const section = h('section', { 'aria-labelledby': 'show-heading', id: 'show' }, label(s.lang, 'chapter.show', 'h2', { id: 'show-heading' }));
  if (!event || !sales) {
    section.append(h('p', { class: 'muted', 'data-i18n': 'chapter.noShow' }, translate(s.lang, 'chapter.noShow')));
    return section;
  }
  const count = (n: number) => h('td', { 'data-value': String(n) }, formatCount(s.lang, n));
  section.append(
    h('p', { class: 'show-title' }, h('strong', {}, event.title), ` — ${formatDateTime(s.lang, event.startsAt)}`),
    h('p', { id: 'show-summary', 'data-sold': String(sales.sold), 'data-i18n': 'chapter.sold' }, translate(s.lang, 'chapter.sold', { sold: sales.sold, quota: sales.quota, revenue: formatMoney(s.lang, sales.revenue) })),
    h(
      'table',
      { 'aria-labelledby': 'show-heading', id: 'show-table' },
      h('thead', {}, h('tr', {}, ['chapter.ticketType', 'chapter.price', 'chapter.quota', 'chapter.soldColumn', 'chapter.remaining'].map((k) => label(s.lang, k as MessageKey, 'th', { scope: 'col' })))),
      h(
        'tbody',
        {},
        sales.ticketTypes.map((t) =>
          h('tr', { 'data-ticket-type': t.ticketTypeId }, h('th', { scope: 'row' }, t.name), h('td', {}, formatMoney(s.lang, t.price)), count(t.quota), count(t.sold), count(t.remaining)),
        ),
      ),
      h('tfoot', {}, h('tr', {}, label(s.lang, 'table.totalShow', 'th', { scope: 'row' }), h('td', {}, formatMoney(s.lang, sales.revenue)), count(sales.quota), count(sales.sold), count(sales.remaining))),
    ),
  );
  return section;
}

export function chapterView(s: ChapterState, a: ChapterActions, after: After): HTMLElement {
  const main = h('div', { class: 'chapter' }, periodForm(s.lang, s.from, s.to, a.setPeriod), progress(s.lang, s.loading, s.error));
  const d = s.chapter;
  if (d) {
    main.prepend(h('p', { class: 'city-name', id: 'chapter-city', 'data-city': d.report.city.slug }, cityName(s.lang, d.report.city)));
    main.append(
      tiles(s, d),
      trendSection(s, s.chapterFigure, d.report.rows, a.setChapterFigure, { id: 'chapter-download', path: '/reports/city', fn: a.download }, after),
      sessions(s, d), applications(s, d), certificates(s, d), show(s, d));
  }
  return main;
}

