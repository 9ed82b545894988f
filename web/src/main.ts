// The dashboard: sign in, then the view for the account's role (national or
// chapter admin). State lives here; every change re-renders from it (the
// data is kept, so switching the language or a chart's figure makes no
// request).
import './style.css';
import { ApiError, closeSession, currentToken, downloadFile, openSession, renewDelayMs, renewSession, request, setToken, type Session } from './api';
import { chapterView, currentSeason, nextShow, type ChapterState } from './chapter';
import { disposeCharts } from './charts';
import { h } from './dom';
import type { FigureKey } from './figures';
import { currentMonth } from './format';
import type { TypedDocumentString, UserRole } from './gql/graphql';
import { initialLang, LANG_NAMES, LANGS, rememberLang, translate, type Lang, type MessageKey } from './i18n';
import { liveTotals } from './live';
import { nationalView, type CitySort, type NationalState } from './national';
import { defaultPeriod, isYearMonth, previousPeriod } from './period';
import { ChapterDashboardDocument, ChapterDetailsDocument, CityDrillDocument, NationalDashboardDocument } from './queries';
import type { DownloadFn } from './view';

interface State extends NationalState, ChapterState {
  role: UserRole | null;
  /** Asking the gateway whether the session cookie still holds one. */
  resuming: boolean;
  signInError: MessageKey | null;
  busy: boolean;
  downloadError: MessageKey | null;
}

const period = defaultPeriod(currentMonth());
const state: State = {
  lang: initialLang(),
  role: null,
  resuming: true,
  signInError: null,
  busy: false,
  from: period.from,
  to: period.to,
  data: null,
  loading: false,
  error: null,
  cityFigure: 'applicants',
  citySort: 'desc',
  trendFigure: 'sessionsHeld',
  mapFigure: 'active',
  drill: null,
  drillFigure: 'sessionsHeld',
  live: 'off',
  chapter: null,
  details: null,
  chapterFigure: 'sessionsHeld',
  downloadError: null,
};

const root = document.getElementById('app') as HTMLElement;
const t = (k: MessageKey) => translate(state.lang, k);
/** Where the keyboard goes after the next render (else where it was). */
let focusNext: string | null = null;
let stopLive: (() => void) | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;

function update(patch: Partial<State>): void {
  Object.assign(state, patch);
  render();
}

function errorKey(e: unknown): MessageKey {
  if (e instanceof ApiError) {
    if (e.code === 'NETWORK') return 'error.network';
    if (e.code === 'RATE_LIMITED') return 'signIn.rateLimited';
  }
  return 'error.report';
}

/** `request`, renewing the access token once when the API says it has
 * expired (a laptop waking after the renewal timer should have fired). */
async function authed<R, V>(doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
  try {
    return await request(doc, variables);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'UNAUTHENTICATED') || !(await renew())) throw e;
    return request(doc, variables);
  }
}

/** An ended session (or a role that lost access) signs out. */
function ended(e: unknown): boolean {
  if (e instanceof ApiError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) {
    signOut('signIn.sessionEnded');
    return true;
  }
  return false;
}

/** The live totals of the period on screen: each push replaces its totals;
 * a session the gateway ended (socket closed with 4401) signs out. */
function startLive(): void {
  stopLive?.();
  if (!currentToken()) return;
  const { from, to } = state;
  stopLive = liveTotals(currentToken, from, to, {
    onTotals: (totals) => {
      if (!state.data || state.from !== from || state.to !== to) return;
      update({ data: { ...state.data, current: { ...state.data.current, totals } } });
    },
    onStatus: (live) => update({ live }),
    // An expired token is renewed and the subscription restarted; a
    // revoked session cannot be renewed and signs out.
    onSessionEnded: () => void renew().then((ok) => (ok ? startLive() : undefined)),
  });
}

async function loadNational(): Promise<void> {
  const prev = previousPeriod(state.from, state.to);
  // The live totals follow the period on screen: off until its data is in.
  stopLive?.();
  stopLive = null;
  update({ loading: true, error: null, live: 'off' });
  try {
    const data = await authed(NationalDashboardDocument, { from: state.from, to: state.to, prevFrom: prev.from, prevTo: prev.to });
    update({ data, loading: false });
    startLive();
    if (state.drill) void loadDrill(state.drill.slug);
  } catch (e) {
    if (!ended(e)) update({ loading: false, error: errorKey(e) });
  }
}

async function loadDrill(slug: string): Promise<void> {
  update({ drill: { slug, data: null, loading: true, error: null } });
  try {
    const data = await authed(CityDrillDocument, { from: state.from, to: state.to, city: slug });
    if (state.drill?.slug === slug) update({ drill: { slug, data, loading: false, error: null } });
  } catch (e) {
    if (!ended(e) && state.drill?.slug === slug) update({ drill: { slug, data: null, loading: false, error: errorKey(e) } });
  }
}

async function loadChapter(): Promise<void> {
  update({ loading: true, error: null });
  try {
    const chapter = await authed(ChapterDashboardDocument, { from: state.from, to: state.to });
    const show = nextShow(chapter.events);
    const season = currentSeason(chapter.seasons.nodes) ?? '';
    const details = await authed(ChapterDetailsDocument, { eventId: show?.id ?? '', withShow: show !== null, seasonId: season });
    update({ chapter, details, loading: false });
  } catch (e) {
    if (!ended(e)) update({ loading: false, error: errorKey(e) });
  }
}

function load(): Promise<void> {
  return state.role === 'CHAPTER_ADMIN' ? loadChapter() : loadNational();
}

/** Keeps the access token fresh: renewed from the session cookie a minute
 * before it expires. */
function begin(session: Session): void {
  setToken(session.accessToken);
  clearTimeout(renewTimer);
  renewTimer = setTimeout(() => void renew(), renewDelayMs(session.expiresIn));
}

/** Renews the access token; a session that cannot be renewed signs out.
 * Callers at the same moment share one renewal: a refresh token presented
 * twice would end the session (the gateway's reuse rule). */
let renewing: Promise<boolean> | null = null;
function renew(): Promise<boolean> {
  renewing ??= renewOnce().finally(() => {
    renewing = null;
  });
  return renewing;
}

async function renewOnce(): Promise<boolean> {
  try {
    const session = await renewSession();
    if (session) {
      begin(session);
      return true;
    }
  } catch (e) {
    if (e instanceof ApiError && ['NETWORK', 'RATE_LIMITED', 'INTERNAL'].includes(e.code)) {
      // No answer, or a passing refusal that keeps the cookie: try again
      // shortly, the token may live on.
      renewTimer = setTimeout(() => void renew(), 10_000);
      return false;
    }
  }
  if (state.role) signOut('signIn.sessionEnded');
  return false;
}

async function enter(session: Session): Promise<void> {
  begin(session);
  update({ busy: false, resuming: false, role: session.role });
  if (session.role === 'NATIONAL' || session.role === 'CHAPTER_ADMIN') await load();
}

async function signIn(email: string, password: string): Promise<void> {
  update({ busy: true, signInError: null });
  try {
    await enter(await openSession(email, password));
  } catch (e) {
    const key: MessageKey =
      e instanceof ApiError && (e.code === 'UNAUTHENTICATED' || e.code === 'BAD_USER_INPUT') ? 'signIn.failed' : errorKey(e);
    update({ busy: false, signInError: key });
  }
}

/** A reload resumes the session the cookie holds, if any. */
async function resume(): Promise<void> {
  try {
    const session = await renewSession();
    if (session) return enter(session);
  } catch {
    // No session to resume: sign in.
  }
  update({ resuming: false });
}

function signOut(reason: MessageKey | null = null): void {
  stopLive?.();
  stopLive = null;
  clearTimeout(renewTimer);
  if (currentToken()) void closeSession().catch(() => undefined);
  setToken(null);
  update({ role: null, data: null, chapter: null, details: null, drill: null, live: 'off', loading: false, signInError: reason });
}

const download: DownloadFn = (format, d) => {
  update({ downloadError: null });
  downloadFile(d.path, format, d.query).catch((e: unknown) => {
    if (!ended(e)) update({ downloadError: errorKey(e) });
  });
};

function setPeriod(from: string, to: string): void {
  if (!isYearMonth(from) || !isYearMonth(to) || from > to) return update({ error: 'period.invalid' });
  update({ from, to });
  void load();
}

function header(): HTMLElement {
  const select = h(
    'select',
    {
      id: 'lang',
      onchange: (e: Event) => {
        const lang = (e.target as HTMLSelectElement).value as Lang;
        rememberLang(lang);
        update({ lang });
      },
    },
    LANGS.map((l) => h('option', { value: l, lang: l, selected: l === state.lang }, LANG_NAMES[l])),
  );
  // A coach or participant has no dashboard: the page does not call itself one.
  const title: MessageKey =
    state.role === 'CHAPTER_ADMIN' ? 'app.chapterTitle' : state.role === null || state.role === 'NATIONAL' ? 'app.title' : 'app.platformTitle';
  return h(
    'header',
    { class: 'top' },
    h('h1', { 'data-i18n': title }, t(title)),
    h('div', { class: 'top-controls' },
      h('label', { for: 'lang', 'data-i18n': 'app.language' }, t('app.language')),
      select,
      state.role && h('button', { type: 'button', id: 'sign-out', 'data-i18n': 'app.signOut', onclick: () => signOut() }, t('app.signOut')),
    ),
  );
}

function signInForm(): HTMLElement {
  const email = h('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  return h(
    'form',
    {
      class: 'sign-in',
      'aria-labelledby': 'sign-in-heading',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void signIn(email.value, password.value);
      },
    },
    h('h2', { id: 'sign-in-heading', 'data-i18n': 'signIn.heading' }, t('signIn.heading')),
    h('label', { for: 'email', 'data-i18n': 'signIn.email' }, t('signIn.email')),
    email,
    h('label', { for: 'password', 'data-i18n': 'signIn.password' }, t('signIn.password')),
    password,
    state.signInError && h('p', { role: 'alert', class: 'error', 'data-i18n': state.signInError }, t(state.signInError)),
    h('button', { type: 'submit', disabled: state.busy, 'data-i18n': 'signIn.submit' }, t('signIn.submit')),
  );
}

function render(): void {
  // Keep the keyboard where it was across a re-render.
  const focused = focusNext ?? document.activeElement?.id;
  focusNext = null;
  const after: (() => void)[] = [];
  const later = (fn: () => void) => after.push(fn);
  document.documentElement.lang = state.lang;
  document.title = t(state.role === 'CHAPTER_ADMIN' ? 'app.chapterTitle' : 'app.title');
  let body: HTMLElement;
  if (state.resuming) {
    body = h('p', { role: 'status', 'data-i18n': 'period.loading' }, t('period.loading'));
  } else if (!state.role) {
    // Inputs typed into survive a language switch on the sign-in form.
    const typed = { email: (document.getElementById('email') as HTMLInputElement | null)?.value ?? '' };
    body = signInForm();
    (body.querySelector('#email') as HTMLInputElement).value = typed.email;
  } else if (state.role === 'NATIONAL') {
    body = nationalView(
      state,
      {
        setPeriod,
        setCityFigure: (f: FigureKey) => update({ cityFigure: f }),
        setCitySort: (s: CitySort) => update({ citySort: s }),
        setTrendFigure: (f: FigureKey) => update({ trendFigure: f }),
        setMapFigure: (f: FigureKey) => update({ mapFigure: f }),
        openDrill: (slug: string) => {
          focusNext = 'drill-heading';
          void loadDrill(slug);
        },
        closeDrill: () => {
          focusNext = state.drill ? `drill-${state.drill.slug}` : null;
          update({ drill: null });
        },
        setDrillFigure: (f: FigureKey) => update({ drillFigure: f }),
        download,
      },
      later,
    );
  } else if (state.role === 'CHAPTER_ADMIN') {
    body = chapterView(state, { setPeriod, setChapterFigure: (f: FigureKey) => update({ chapterFigure: f }), download }, later);
  } else {
    body = h('p', { class: 'note', id: 'no-view', role: 'status', 'data-i18n': 'role.notYet' }, t('role.notYet'));
  }
  // Table views stay open across a re-render.
  const open = [...root.querySelectorAll<HTMLDetailsElement>('details[open]')].map((d) => d.id).filter(Boolean);
  disposeCharts(root);
  root.replaceChildren(
    header(),
    h(
      'main',
      { id: 'main' },
      state.downloadError && h('p', { role: 'alert', class: 'error', id: 'download-error', 'data-i18n': state.downloadError }, t(state.downloadError)),
      body,
    ),
  );
  for (const id of open) (document.getElementById(id) as HTMLDetailsElement | null)?.setAttribute('open', '');
  for (const fn of after) fn();
  if (focused) document.getElementById(focused)?.focus();
}

if (location.hash === '#graphiql') {
  void import('./graphiql').then((g) => g.mount(root));
} else {
  render();
  void resume();
}
// Between the dashboard and GraphiQL: a fresh page (the token is not carried over).
window.addEventListener('hashchange', () => location.reload());
