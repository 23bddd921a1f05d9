// The QR of a health code arrives as SVG text made by our server. It is put
// into the page with v-html (inline, so it scales crisply), but only after
// this check: the root is <svg>, it holds only the shapes a QR needs, and no
// attribute can run script or load anything. Anything else is refused.

const ELEMENTS = new Set(['svg', 'g', 'rect', 'path', 'title', 'desc']);
const ATTRIBUTES = new Set([
  'xmlns', 'viewbox', 'width', 'height', 'shape-rendering', 'fill', 'd', 'x', 'y', 'stroke', 'stroke-width',
  'transform', 'version', 'preserveaspectratio', 'role', 'aria-label',
]);

/** The SVG markup if it is a plain QR drawing, else null. */
export function safeQrSvg(svg: string): string | null {
  if (!svg) return null;
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    if (!ELEMENTS.has(el.nodeName.toLowerCase())) return null;
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (!ATTRIBUTES.has(name) || /url\s*\(|javascript:/i.test(attr.value)) return null;
    }
  }
  return svg;
}
