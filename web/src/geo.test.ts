import { describe, expect, it } from 'vitest';
import { HEIGHT, MAX_RADIUS, MIN_RADIUS, WIDTH, pathOf, project, radius } from './geo';

describe('the map', () => {
  it('puts Astana north of Almaty and Aktau west of both, inside the picture', () => {
    const almaty = project(76.8897, 43.2389);
    const astana = project(71.4491, 51.1694);
    const aktau = project(51.1975, 43.6532);
    expect(astana[1]).toBeLessThan(almaty[1]);
    expect(aktau[0]).toBeLessThan(astana[0]);
    for (const [x, y] of [almaty, astana, aktau]) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(WIDTH);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(HEIGHT);
    }
  });

  it('sizes circles by area, the largest value largest, nothing below the smallest', () => {
    expect(radius(100, 100)).toBe(MAX_RADIUS);
    expect(radius(0, 100)).toBe(MIN_RADIUS);
    expect(radius(null, 100)).toBe(MIN_RADIUS);
    const quarter = radius(25, 100) - MIN_RADIUS;
    expect(quarter).toBeCloseTo((MAX_RADIUS - MIN_RADIUS) / 2);
  });

  it('draws each ring of a multipolygon as a closed path', () => {
    const d = pathOf({ type: 'MultiPolygon', coordinates: [[[[50, 45], [60, 45], [60, 50], [50, 45]]], [[[70, 45], [71, 45], [70, 46], [70, 45]]]] });
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/Z/g)).toHaveLength(2);
  });
});
