// The dashboard: sign in, then the view for the account's role. State lives
// here; every change re-renders from it (the data is kept, so switching the
// language or a chart's figure makes no request).
import './style.css';
import { ApiError, request, setToken } from './api';
import { h } from './dom';
import type { FigureKey } from './figures';
import { currentMonth } from './format';
import type { UserRole } from './gql/graphql';
import { initialLang, LANG_NAMES, LANGS, rememberLang, translate, type Lang, type MessageKey } from './i18n';
import { nationalView, type CitySort, type NationalState } from './national';
import { defaultPeriod, isYearMonth, previousPeriod } from './period';
import { LoginDocument, NationalDashboardDocument } from './queries';

interface State extends NationalState {
  role: UserRole | null;
  signInError: MessageKey | null;
  busy: boolean;
}

const period = defaultPeriod(currentMonth());
const state: State = {
  lang: initialLang(),
  role: null,
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
};

const root = document.getElementById('app') as HTMLElement;
const t = (k: MessageKey) => translate(state.lang, k);

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

async function load(): Promise<void> {
  const prev = previousPeriod(state.from, state.to);
  update({ loading: true, error: null });
  try {
    const data = await request(NationalDashboardDocument, { from: state.from, to: state.to, prevFrom: prev.from, prevTo: prev.to });
    update({ data, loading: false });
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) {
      setToken(null);
      update({ role: null, data: null, loading: false, signInError: 'signIn.sessionEnded' });
      return;
    }
    update({ loading: false, error: errorKey(e) });
  }
}

async function signIn(email: string, password: string): Promise<void> {
  update({ busy: true, signInError: null });
  try {
    const { login } = await request(LoginDocument, { email, password });
    setToken(login.accessToken);
    update({ busy: false, role: login.role });
    if (login.role === 'NATIONAL') await load();
  } catch (e) {
    const key: MessageKey =
      e instanceof ApiError && (e.code === 'UNAUTHENTICATED' || e.code === 'BAD_USER_INPUT') ? 'signIn.failed' : errorKey(e);
    update({ busy: false, signInError: key });
  }
}

function signOut(): void {
  setToken(null);
  update({ role: null, data: null, signInError: null });
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
  return h(
    'header',
    { class: 'top' },
    h('h1', { 'data-i18n': 'app.title' }, t('app.title')),
    h('div', { class: 'top-controls' },
      h('label', { for: 'lang', 'data-i18n': 'app.language' }, t('app.language')),
      select,
      state.role && h('button', { type: 'button', id: 'sign-out', 'data-i18n': 'app.signOut', onclick: signOut }, t('app.signOut')),
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
  const focused = document.activeElement?.id;
  const after: (() => void)[] = [];
  document.documentElement.lang = state.lang;
  document.title = t('app.title');
  let body: HTMLElement;
  if (!state.role) {
    // Inputs typed into survive a language switch on the sign-in form.
    const typed = { email: (document.getElementById('email') as HTMLInputElement | null)?.value ?? '' };
    body = signInForm();
    (body.querySelector('#email') as HTMLInputElement).value = typed.email;
  } else if (state.role === 'NATIONAL') {
    body = nationalView(
      state,
      {
        setPeriod: (from, to) => {
          if (!isYearMonth(from) || !isYearMonth(to) || from > to) return update({ error: 'period.invalid' });
          update({ from, to });
          void load();
        },
        setCityFigure: (f: FigureKey) => update({ cityFigure: f }),
        setCitySort: (s: CitySort) => update({ citySort: s }),
        setTrendFigure: (f: FigureKey) => update({ trendFigure: f }),
      },
      (fn) => after.push(fn),
    );
  } else {
    body = h('p', { class: 'note', 'data-i18n': 'role.notYet' }, t('role.notYet'));
  }
  root.replaceChildren(header(), h('main', { id: 'main' }, body));
  for (const fn of after) fn();
  if (focused) document.getElementById(focused)?.focus();
}

if (location.hash === '#graphiql') {
  void import('./graphiql').then((g) => g.mount(root));
} else {
  render();
}
// Between the dashboard and GraphiQL: a fresh page (the token is not carried over).
window.addEventListener('hashchange', () => location.reload());
