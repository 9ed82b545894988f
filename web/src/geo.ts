// The map's geometry: longitude and latitude to the picture's x and y
// (equirectangular, shrunk east-west by the cosine of Kazakhstan's middle
// latitude, so the country keeps its shape), and circle sizes by figure.

/** The picture's frame in degrees: Kazakhstan with a margin. */
export const FRAME = { west: 46, east: 88, north: 56, south: 40 } as const;
const MID_LATITUDE = 48;
/** Units per degree of latitude. */
const SCALE = 20;
const SHRINK = Math.cos((MID_LATITUDE * Math.PI) / 180);

export const WIDTH = Math.round((FRAME.east - FRAME.west) * SHRINK * SCALE);
export const HEIGHT = Math.round((FRAME.north - FRAME.south) * SCALE);

export function project(longitude: number, latitude: number): [number, number] {
  return [(longitude - FRAME.west) * SHRINK * SCALE, (FRAME.north - latitude) * SCALE];
}

type Ring = readonly (readonly number[])[];
export interface Geometry {
  type: string;
  coordinates: unknown;
}

function ringPath(ring: Ring): string {
  const pts = ring.map(([lon = 0, lat = 0]) => project(lon, lat).map((v) => v.toFixed(1)).join(' '));
  return pts.length ? `M${pts.join('L')}Z` : '';
}

/** An SVG path of a Polygon or MultiPolygon. */
export function pathOf(g: Geometry): string {
  const polygons = (g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates]) as Ring[][];
  return polygons.flatMap((rings) => rings.map(ringPath)).join('');
}

export const MIN_RADIUS = 4;
export const MAX_RADIUS = 30;

/** A circle's radius: its area grows with the value (0 or unknown: the
 * smallest), the largest value gets the largest circle. */
export function radius(value: number | null, max: number): number {
  if (value === null || value <= 0 || max <= 0) return MIN_RADIUS;
  return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt(Math.min(value, max) / max);
}
