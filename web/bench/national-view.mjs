// Benchmark (not a test) of the national view's first screen, in headless
// Chromium against a running gateway (SOI_WEB_URL) whose database holds the
// cities to measure (e.g. 200: `soi seed --scale --cities 200` plus
// `soi seed --demo` for the national account). Prints, and with --markdown
// writes as a table:
//   - JavaScript the first view loads, gzipped (each script the page fetched
//     before the view was interactive, compressed here with gzip -9);
//   - time from the sign-in click until the national view is interactive
//     (KPI tiles, both charts and the map drawn, then the main thread free
//     for a frame), the median and range of RUNS fresh pages;
//   - the API requests the page made: GraphQL, and the session endpoints
//     (the resume check on opening and the sign-in).
// Usage: SOI_WEB_URL=http://127.0.0.1:8080 node bench/national-view.mjs [--runs 7]
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const BASE = process.env.SOI_WEB_URL ?? 'http://127.0.0.1:8080';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = process.env.SOI_DEMO_PASSWORD ?? 'skate-on-ice-2026';
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '7'));

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
const times = [];
let scripts = new Map();
let graphql = 0;
let cities = 0;
try {
  for (let run = 0; run < RUNS; run++) {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const seen = new Map();
    let requests = 0;
    page.on('request', (r) => /\/graphql$|\/web\/session/.test(r.url()) && requests++);
    page.on('response', async (r) => {
      if (r.request().resourceType() !== 'script') return;
      try {
        seen.set(r.url(), gzipSync(await r.body(), { level: 9 }).length);
      } catch {
        // A redirect or an aborted response has no body to count.
      }
    });
    await page.goto(`${BASE}/`);
    await page.waitForSelector('form.sign-in');
    await page.fill('#email', 'national@soi.test');
    await page.fill('#password', PASSWORD);
    const t0 = await page.evaluate(() => performance.now());
    await page.click('form.sign-in button[type=submit]');
    await page.waitForSelector('#cities-chart canvas', { timeout: 60_000 });
    await page.waitForSelector('#trends-chart canvas');
    await page.waitForSelector('#map-chart svg g.map-city');
    const t1 = await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(performance.now()), 0))),
    );
    times.push(t1 - t0);
    if (run === 0) {
      scripts = seen;
      graphql = requests;
      cities = await page.$$eval('#cities-table tbody tr', (trs) => trs.length);
    }
    await ctx.close();
  }
} finally {
  await browser.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const kb = [...scripts.values()].reduce((a, b) => a + b, 0) / 1024;
const rows = [
  ['cities in the view', String(cities), ''],
  ['JavaScript for the first view, gzipped', `${kb.toFixed(1)} KB (${scripts.size} file${scripts.size === 1 ? '' : 's'})`, '≤ 250 KB'],
  [`sign-in click → view interactive, median of ${RUNS}`, `${median.toFixed(0)} ms (${times[0].toFixed(0)}–${times[times.length - 1].toFixed(0)})`, '≤ 1.5 s'],
  ['API requests (GraphQL and session, sign-in included)', String(graphql), '≤ 3'],
];
if (process.argv.includes('--markdown')) {
  console.log('| measure | result | goal |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
} else {
  for (const [k, v, g] of rows) console.log(`${k}: ${v}${g ? `  (goal ${g})` : ''}`);
}
