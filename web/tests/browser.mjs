// Browser tests: Debian's Chromium driven by playwright-core against a real
// gateway serving the demo data (deploy/dev test starts it). Asserts what a
// person sees; screenshots go to SOI_WEB_SCREENSHOTS (git-ignored).
// Prints "browser: N passed, M failed" and exits non-zero on a failure.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const BASE = process.env.SOI_WEB_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.SOI_WEB_SCREENSHOTS ?? new URL('../test-results/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = process.env.SOI_DEMO_PASSWORD ?? 'skate-on-ice-2026';
const NATIONAL = 'national@soi.test';
const TIMEOUT = 15_000;

mkdirSync(SHOTS, { recursive: true });
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n     ')}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function gql(query, variables, token) {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const FIGURES = `applicants accepted waitlisted rejected active completed withdrawn retention sessionsHeld
  sessionsCancelled attendanceRate activeCoaches skillsPassed showsHeld ticketsSold ticketsCheckedIn
  ticketRevenue sponsorMoney expenses givenToCauses beneficiaries suppressed`;

async function apiReport(from, to) {
  const { login } = await gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`, { e: NATIONAL, p: PASSWORD });
  const { r, m } = await gql(
    `query($from: YearMonth!, $to: YearMonth!) { r: nationalReport(from: $from, to: $to, groupBy: CITY) {
       totals { ${FIGURES} } rows { city { slug } figures { ${FIGURES} } } }
       m: nationalReport(from: $from, to: $to, groupBy: MONTH) { rows { month figures { sessionsHeld } } } }`,
    { from, to },
    login.accessToken,
  );
  return { ...r, months: m.rows };
}

async function signIn(page) {
  await page.fill('#email', NATIONAL);
  await page.fill('#password', PASSWORD);
  await page.click('form.sign-in button[type=submit]');
  await page.waitForSelector('.tile[data-figure="applicants"]', { timeout: TIMEOUT });
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // Root (CI) cannot use Chromium's sandbox.
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
try {
  await check('the dashboard page carries the security headers', async () => {
    const res = await fetch(`${BASE}/`);
    assert(res.status === 200, `GET / answered ${res.status}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    assert(scriptSrc.includes("'self'") && !scriptSrc.includes('unsafe'), `script-src: ${scriptSrc}`);
    assert(csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`);
    assert(res.headers.get('x-content-type-options') === 'nosniff', 'X-Content-Type-Options');
    assert(res.headers.get('referrer-policy') === 'no-referrer', 'Referrer-Policy');
  });

  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  const requests = [];
  page.on('request', (r) => r.url().endsWith('/graphql') && requests.push(r.url()));
  const offOrigin = [];
  page.on('request', (r) => !r.url().startsWith(BASE) && !r.url().startsWith('data:') && offOrigin.push(r.url()));

  await check('a national account signs in and the first view takes at most 3 GraphQL requests', async () => {
    await page.goto(`${BASE}/`);
    await page.waitForSelector('form.sign-in', { timeout: TIMEOUT });
    await page.screenshot({ path: `${SHOTS}/sign-in-en.png` });
    await signIn(page);
    await page.waitForSelector('#cities-chart canvas', { timeout: TIMEOUT });
    assert(requests.length <= 3, `${requests.length} GraphQL requests`);
    console.log(`     the first view made ${requests.length} GraphQL requests`);
    assert(offOrigin.length === 0, `requests off the gateway: ${offOrigin.join(', ')}`);
    assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
    await page.screenshot({ path: `${SHOTS}/national-en.png`, fullPage: true });
  });

  await check('the KPI tiles show the API figures', async () => {
    const from = await page.inputValue('#period-from');
    const to = await page.inputValue('#period-to');
    const api = await apiReport(from, to);
    const tiles = await page.$$eval('.tile', (els) =>
      els.map((el) => ({ key: el.dataset.figure, value: el.dataset.value, text: el.querySelector('.tile-value')?.textContent ?? '' })),
    );
    assert(tiles.length >= 20, `${tiles.length} tiles`);
    for (const tile of tiles) {
      if (tile.key === 'citiesActive') {
        assert(Number(tile.value) === api.rows.length, `cities active ${tile.value} vs ${api.rows.length} rows`);
        continue;
      }
      const want = api.totals[tile.key];
      if (api.totals.suppressed.includes(tile.key)) {
        const text = /retention|Rate/.test(tile.key) ? 'withheld (fewer than 5)' : 'fewer than 5';
        assert(tile.value === 'suppressed' && tile.text === text, `${tile.key}: ${tile.text}`);
      } else {
        assert(Number(tile.value) === want, `${tile.key}: screen ${tile.value}, API ${want}`);
        const shown = await page.evaluate(
          ([kind, n]) => {
            if (kind === 'money') return new Intl.NumberFormat('en', { style: 'currency', currency: 'KZT', currencyDisplay: 'narrowSymbol', minimumFractionDigits: n % 100 === 0 ? 0 : 2 }).format(n / 100);
            if (kind === 'rate') return new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(n);
            return new Intl.NumberFormat('en').format(n);
          },
          [/Revenue|Money|expenses|Causes/.test(tile.key) ? 'money' : /retention|Rate/.test(tile.key) ? 'rate' : 'count', want],
        );
        assert(tile.text === shown, `${tile.key}: "${tile.text}" shown, "${shown}" expected`);
      }
    }
  });

  await check('each chart has a table view with the same numbers', async () => {
    const from = await page.inputValue('#period-from');
    const to = await page.inputValue('#period-to');
    const api = await apiReport(from, to);
    for (const id of ['cities', 'trends']) {
      assert(await page.$(`#${id}-chart canvas`), `${id} chart drawn`);
      await page.click(`#${id}-table summary`);
      const rows = await page.$$(`#${id}-table tbody tr`);
      assert(rows.length > 0, `${id} table has rows`);
    }
    const cells = await page.$$eval('#cities-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.city, tr.querySelector('td')?.dataset.value]));
    assert(cells.length === api.rows.length, `${cells.length} cities in the table, ${api.rows.length} in the API`);
    for (const [slug, value] of cells) {
      const row = api.rows.find((r) => r.city.slug === slug);
      assert(row && String(row.figures.applicants) === value, `${slug}: ${value}`);
    }
    const months = await page.$$eval('#trends-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.month, tr.querySelector('td')?.dataset.value]));
    for (const { month, figures } of api.months) {
      const shown = months.find(([m]) => m === month);
      assert(shown && shown[1] === String(figures.sessionsHeld), `${month}: ${shown?.[1]} shown, ${figures.sessionsHeld} in the API`);
    }
    await page.screenshot({ path: `${SHOTS}/tables-en.png`, fullPage: true });
  });

  await check('a withheld figure reads "fewer than 5", never 0', async () => {
    await page.selectOption('#cities-figure', 'waitlisted');
    const texts = await page.$$eval('#cities-table tbody td[data-value="suppressed"]', (tds) => tds.map((td) => td.textContent));
    assert(texts.length > 0, 'the demo withholds waiting lists per city');
    assert(texts.every((t) => t === 'fewer than 5'), texts.join(', '));
    assert(await page.isVisible('#suppressed-note'), 'the explanation is on screen');
    await page.selectOption('#cities-figure', 'applicants');
  });

  await check('the language switch changes every label, none left untranslated', async () => {
    const seen = {};
    for (const lang of ['en', 'ru', 'kk']) {
      await page.selectOption('#lang', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      const labels = await page.$$eval('[data-i18n]', (els) => els.map((el) => [el.dataset.i18n, el.textContent?.trim() ?? '']));
      assert(labels.length > 40, `${labels.length} labels`);
      for (const [key, text] of labels) {
        assert(text && text !== key && !/\{\w+\}/.test(text), `${lang}: ${key} reads "${text}"`);
      }
      seen[lang] = labels;
      await page.screenshot({ path: `${SHOTS}/national-${lang}.png`, fullPage: true });
    }
    for (const [a, b] of [['en', 'ru'], ['en', 'kk'], ['ru', 'kk']]) {
      assert(seen[a].length === seen[b].length, `${a} and ${b} show as many labels`);
      seen[a].forEach(([key, text], i) => {
        // Two labels may legitimately agree only where both languages write the name the same.
        assert(text !== seen[b][i][1], `${key} reads "${text}" in ${a} and ${b}`);
      });
    }
  });

  await check('the language is remembered and the token is not', async () => {
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert(!stored.includes('eyJ'), `storage holds a token: ${stored}`);
    await page.reload();
    await page.waitForSelector('form.sign-in', { timeout: TIMEOUT });
    assert((await page.inputValue('#lang')) === 'kk', 'Kazakh kept after a reload');
    assert((await page.textContent('#sign-in-heading')) === 'Жүйеге кіру', 'the sign-in form is in Kazakh');
  });

  await check('axe finds no serious or critical accessibility violation', async () => {
    // The page's CSP refuses injected scripts, as it should; this context lets axe in.
    const ctx = await browser.newContext({ locale: 'en-US', bypassCSP: true });
    const p = await ctx.newPage();
    const scan = async (what) => {
      await p.addScriptTag({ path: AXE });
      const result = await p.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length}): ${v.help}`);
      });
      assert(result.length === 0, `${what}: ${result.join('; ')}`);
    };
    await p.goto(`${BASE}/`);
    await p.waitForSelector('form.sign-in', { timeout: TIMEOUT });
    await scan('sign-in');
    await signIn(p);
    await p.waitForSelector('#cities-chart canvas', { timeout: TIMEOUT });
    await p.click('#cities-table summary');
    await p.click('#trends-table summary');
    await scan('national view');
    await ctx.close();
  });

  await check('GraphiQL is served from the gateway, nothing from a CDN, and runs a query', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const p = await ctx.newPage();
    const errors = [];
    const foreign = [];
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('request', (r) => !r.url().startsWith(BASE) && !r.url().startsWith('data:') && foreign.push(r.url()));
    await p.goto(`${BASE}/#graphiql`);
    await p.waitForSelector('.graphiql-container .CodeMirror', { timeout: TIMEOUT });
    await p.evaluate(() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ cities { slug } }'));
    await p.click('.graphiql-execute-button');
    await p.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('almaty'), null, { timeout: TIMEOUT });
    await p.screenshot({ path: `${SHOTS}/graphiql.png` });
    await ctx.close();
    assert(foreign.length === 0, `requests off the gateway: ${foreign.join(', ')}`);
    assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  });

  await check('a chapter admin gets no national figures', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const p = await ctx.newPage();
    await p.goto(`${BASE}/`);
    await p.fill('#email', 'admin@almaty.soi.test');
    await p.fill('#password', PASSWORD);
    await p.click('form.sign-in button[type=submit]');
    await p.waitForSelector('[data-i18n="role.notYet"]', { timeout: TIMEOUT });
    const tiles = await p.$$('.tile');
    await ctx.close();
    assert(tiles.length === 0, `${tiles.length} tiles shown`);
  });

  for (const [locale, lang] of [['kk-KZ', 'kk'], ['ru-RU', 'ru'], ['en-GB', 'en']]) {
    await check(`a new visitor whose browser asks for ${locale} gets ${lang}`, async () => {
      const ctx = await browser.newContext({ locale });
      const p = await ctx.newPage();
      await p.goto(`${BASE}/`);
      await p.waitForSelector('form.sign-in', { timeout: TIMEOUT });
      const got = await p.evaluate(() => document.documentElement.lang);
      await ctx.close();
      assert(got === lang, `got ${got}`);
    });
  }
  await context.close();
} finally {
  await browser.close();
}
console.log(`screenshots in ${SHOTS}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
