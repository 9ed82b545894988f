// Extracts Kazakhstan's outline (ISO 3166 numeric 398) from world-atlas's
// Natural Earth TopoJSON (1:50m) into src/geo/kazakhstan.json, a small GeoJSON
// feature the map draws. Run at build time (npm run geo): the full atlas
// never reaches the browser, and nothing is fetched at run time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';

const require = createRequire(import.meta.url);
const atlas = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
const kz = atlas.objects.countries.geometries.find((g) => g.id === '398');
if (!kz) throw new Error('Kazakhstan (398) is not in world-atlas/countries-50m.json');
const geo = feature(atlas, kz);
// Four decimals (about 10 m) is finer than the map can show.
const round = (c) => (typeof c[0] === 'number' ? c.map((v) => Math.round(v * 1e4) / 1e4) : c.map(round));
geo.geometry.coordinates = round(geo.geometry.coordinates);
const out = new URL('../src/geo/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('kazakhstan.json', out), JSON.stringify({ type: geo.type, properties: { name: 'Kazakhstan' }, geometry: geo.geometry }));
