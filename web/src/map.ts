// The map of Kazakhstan: the country's outline from Natural Earth (the
// world-atlas npm package, cut to Kazakhstan at build time into
// src/geo/kazakhstan.json), each city a circle at its position, sized by the
// chosen figure; a table view with the same numbers. SVG, so it is sharp,
// small and text a screen reader can reach: each circle takes the keyboard
// (arrow keys) and is announced with its city and figure.
import kazakhstan from './geo/kazakhstan.json';
import { HEIGHT, WIDTH, pathOf, project, radius } from './geo';
import { h } from './dom';
import { figureLabel, formatFigure, type FigureKey, type Value } from './figures';
import { placeLabels } from './labels';
import { translate, type Lang } from './i18n';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

export interface MapCity {
  slug: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  value: Value;
}

const OUTLINE = pathOf(kazakhstan.geometry);
/** How many cities the map names beside their circles. */
const NAMED = 16;

/** The picture: the country and a circle per city that has a position.
 * `cities` come in the table's order, which the arrow keys follow. */
export function mapPicture(lang: Lang, key: FigureKey, cities: MapCity[]): SVGElement {
  const max = Math.max(0, ...cities.map((c) => (c.value.kind === 'value' ? c.value.n : 0)));
  const dots = cities
    .filter((c) => c.latitude !== null && c.longitude !== null)
    .map((c) => {
      const [x, y] = project(c.longitude ?? 0, c.latitude ?? 0);
      return { city: c, x, y, r: radius(c.value.kind === 'value' ? c.value.n : null, max), name: c.name };
    });
  // Large circles first, so small ones stay on top and visible; the largest
  // get their names written first, where they fit best.
  const drawn = [...dots].sort((a, b) => b.r - a.r);
  const spots = placeLabels(drawn, NAMED, WIDTH, HEIGHT);
  const circles = drawn.map((d, i) => {
    const c = d.city;
    const text = `${c.name}, ${figureLabel(lang, key)}: ${formatFigure(lang, key, c.value)}`;
    const g = svg(
      'g',
      { class: 'map-city', 'data-city': c.slug, id: `map-city-${c.slug}`, tabindex: -1, role: 'img', 'aria-label': text },
      svg('circle', { cx: d.x.toFixed(1), cy: d.y.toFixed(1), r: d.r.toFixed(1), class: c.value.kind === 'value' ? 'map-dot' : 'map-dot withheld' }),
      svg('title', {}, text),
    );
    const spot = spots[i];
    if (spot) g.append(svg('text', { x: spot.x.toFixed(1), y: spot.y.toFixed(1), 'text-anchor': spot.anchor, class: 'map-label', 'aria-hidden': 'true' }, c.name));
    return g;
  });
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'map-svg' }, svg('path', { d: OUTLINE, class: 'map-land', 'aria-hidden': 'true' }), ...circles);
}

/** The ids of the cities' circles in the order the arrow keys follow (the
 * table's). */
export function mapOrder(cities: readonly MapCity[]): string[] {
  return cities.filter((c) => c.latitude !== null && c.longitude !== null).map((c) => `map-city-${c.slug}`);
}

/** Roving focus: the arrow keys move the keyboard from the map or a city to
 * the next or previous city, Home and End to the first and last, Escape back
 * to the map. */
export function keyToCity(e: KeyboardEvent, order: readonly string[]): void {
  const here = order.indexOf((document.activeElement as Element | null)?.id ?? '');
  const last = order.length - 1;
  let next: number;
  if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = here < 0 ? 0 : Math.min(here + 1, last);
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = here < 0 ? last : Math.max(here - 1, 0);
  else if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = last;
  else if (e.key === 'Escape' && here >= 0) {
    e.preventDefault();
    (document.activeElement?.closest('.map') as HTMLElement | null)?.focus();
    return;
  } else return;
  e.preventDefault();
  const id = order[next];
  if (id) (document.getElementById(id) as unknown as SVGElement | null)?.focus();
}

/** Cities without a position, named under the map so none goes missing. */
export function unplaced(lang: Lang, cities: MapCity[]): HTMLElement | false {
  const off = cities.filter((c) => c.latitude === null || c.longitude === null).map((c) => c.name);
  return off.length > 0 && h('p', { class: 'muted', 'data-i18n': 'map.unplaced' }, translate(lang, 'map.unplaced', { cities: off.join(', ') }));
}
