// The map of Kazakhstan: the country's outline from Natural Earth (the
// world-atlas npm package, cut to Kazakhstan at build time into
// src/geo/kazakhstan.json), each city a circle at its position, sized by the
// chosen figure; a table view with the same numbers. SVG, so it is sharp,
// small and text a screen reader can reach.
import kazakhstan from './geo/kazakhstan.json';
import { HEIGHT, WIDTH, pathOf, project, radius } from './geo';
import { h } from './dom';
import { formatFigure, type FigureKey, type Value } from './figures';
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

/** The picture: the country and a circle per city that has a position. */
export function mapPicture(lang: Lang, key: FigureKey, title: string, cities: MapCity[]): SVGElement {
  const max = Math.max(0, ...cities.map((c) => (c.value.kind === 'value' ? c.value.n : 0)));
  const placed = cities
    .filter((c) => c.latitude !== null && c.longitude !== null)
    // Large circles first, so small ones stay on top and visible.
    .sort((a, b) => (b.value.kind === 'value' ? b.value.n : 0) - (a.value.kind === 'value' ? a.value.n : 0));
  // Names beside the circles while they fit; with many cities only the
  // largest are named (every circle still has its name and figure as a title).
  const named = new Set(placed.slice(0, NAMED).map((c) => c.slug));
  const circles = placed.map((c) => {
    const [x, y] = project(c.longitude ?? 0, c.latitude ?? 0);
    const r = radius(c.value.kind === 'value' ? c.value.n : null, max);
    const g = svg(
      'g',
      { class: 'map-city', 'data-city': c.slug },
      svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), class: c.value.kind === 'value' ? 'map-dot' : 'map-dot withheld' }),
      svg('title', {}, `${c.name}: ${formatFigure(lang, key, c.value)}`),
    );
    if (named.has(c.slug)) g.append(svg('text', { x: (x + r + 3).toFixed(1), y: (y + 4).toFixed(1), class: 'map-label' }, c.name));
    return g;
  });
  return svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'map-svg', 'aria-hidden': 'true', focusable: 'false' },
    svg('path', { d: OUTLINE, class: 'map-land' }),
    ...circles,
    svg('desc', {}, title),
  );
}

/** Cities without a position, named under the map so none goes missing. */
export function unplaced(lang: Lang, cities: MapCity[]): HTMLElement | false {
  const off = cities.filter((c) => c.latitude === null || c.longitude === null).map((c) => c.name);
  return off.length > 0 && h('p', { class: 'muted', 'data-i18n': 'map.unplaced' }, translate(lang, 'map.unplaced', { cities: off.join(', ') }));
}
