// Where the map writes each city's name: beside its circle on the first side
// (right, left, above, below) where the name covers no other circle, no name
// already written, and stays inside the picture; a name that fits nowhere is
// left out (the circle keeps its name in its tooltip, its keyboard label and
// the table view).

export interface Dot {
  x: number;
  y: number;
  r: number;
  name: string;
}

export interface Placed {
  x: number;
  y: number;
  anchor: 'start' | 'end' | 'middle';
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The label font's size and an average glyph width (13px sans-serif). */
export const FONT = 13;
const GLYPH = 7.6;
const GAP = 3;

function boxOf(p: Placed, width: number): Box {
  const left = p.anchor === 'start' ? p.x : p.anchor === 'end' ? p.x - width : p.x - width / 2;
  // y is the text's baseline: the glyphs sit mostly above it.
  return { left, right: left + width, top: p.y - FONT + 2, bottom: p.y + 3 };
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** Whether a circle and a box share any point. */
export function touches(c: { x: number; y: number; r: number }, b: Box): boolean {
  const nx = Math.max(b.left, Math.min(c.x, b.right));
  const ny = Math.max(b.top, Math.min(c.y, b.bottom));
  return (c.x - nx) ** 2 + (c.y - ny) ** 2 < c.r ** 2;
}

/** The candidate spots beside a circle, in order of preference. */
function candidates(d: Dot): Placed[] {
  return [
    { x: d.x + d.r + GAP, y: d.y + 4, anchor: 'start' },
    { x: d.x - d.r - GAP, y: d.y + 4, anchor: 'end' },
    { x: d.x, y: d.y - d.r - GAP - 3, anchor: 'middle' },
    { x: d.x, y: d.y + d.r + GAP + FONT - 2, anchor: 'middle' },
  ];
}

/** A spot for each of the first `named` dots' names (in the order given:
 * the first get the best spots), `null` where none fits. */
export function placeLabels(dots: readonly Dot[], named: number, width: number, height: number): (Placed | null)[] {
  const taken: Box[] = [];
  return dots.map((d, i) => {
    if (i >= named) return null;
    const w = d.name.length * GLYPH;
    for (const spot of candidates(d)) {
      const box = boxOf(spot, w);
      const inside = box.left >= 0 && box.right <= width && box.top >= 0 && box.bottom <= height;
      if (!inside) continue;
      if (dots.some((o, j) => j !== i && touches(o, box))) continue;
      if (taken.some((t) => overlaps(t, box))) continue;
      taken.push(box);
      return spot;
    }
    return null;
  });
}

/** The box a placed name covers (for tests and checks). */
export function labelBox(p: Placed, name: string): Box {
  return boxOf(p, name.length * GLYPH);
}
