import { describe, expect, it } from 'vitest';
import { HEIGHT, WIDTH, project } from './geo';
import { labelBox, placeLabels, touches, type Dot } from './labels';

const dot = (name: string, lon: number, lat: number, r: number): Dot => {
  const [x, y] = project(lon, lat);
  return { x, y, r, name };
};

describe('map labels', () => {
  it("keep Shymkent's name off Almaty's circle", () => {
    const almaty = dot('Almaty', 76.8897, 43.2389, 30);
    const shymkent = dot('Shymkent', 69.5901, 42.3417, 30);
    const astana = dot('Astana', 71.4491, 51.1694, 30);
    const dots = [almaty, astana, shymkent];
    // Written to the right, Shymkent's name would cover Almaty's circle.
    expect(touches(almaty, labelBox({ x: shymkent.x + shymkent.r + 3, y: shymkent.y + 4, anchor: 'start' }, 'Shymkent'))).toBe(true);
    const placed = placeLabels(dots, 16, WIDTH, HEIGHT);
    dots.forEach((d, i) => {
      const p = placed[i];
      expect(p, d.name).toBeTruthy();
      if (!p) return;
      const box = labelBox(p, d.name);
      dots.forEach((o, j) => {
        if (j !== i) expect(touches(o, box), `${d.name} over ${o.name}`).toBe(false);
      });
    });
  });

  it('never lets two names overlap, leaving out one that fits nowhere', () => {
    // Three circles side by side, too close for three names.
    const dots = [0, 1, 2].map((k) => ({ x: 100 + k * 12, y: 100, r: 5, name: `City ${k}` }));
    const placed = placeLabels(dots, 16, WIDTH, HEIGHT);
    const boxes = placed.flatMap((p, i) => (p ? [labelBox(p, dots[i]?.name ?? '')] : []));
    for (const [a, b] of boxes.flatMap((a, i) => boxes.slice(i + 1).map((b) => [a, b] as const))) {
      expect(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).toBe(false);
    }
    expect(boxes.length).toBeGreaterThan(0);
  });

  it('names only the first ones asked for', () => {
    const dots = [dot('A', 60, 45, 5), dot('B', 80, 50, 5)];
    expect(placeLabels(dots, 1, WIDTH, HEIGHT)[1]).toBeNull();
  });
});
