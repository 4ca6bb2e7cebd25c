// Main thread. KaTeX's fonts declared in the document (the formulas of the "why" notes need them).

const css = (name) => new URL(`../../${name}`, import.meta.url).href;

// KaTeX's fonts must be declared in the document: an @font-face inside a shadow root is not
// loaded. Once per document, a stylesheet of our own origin (a CSP of style-src 'self' allows it).
export function linkFonts(doc = document) {
  const href = css('vendor/katex/katex-fonts.css');
  // A page that links KaTeX's own stylesheet (index.html, embed.html) declares the fonts already.
  if ([...doc.querySelectorAll('link')].some((l) => l.rel === 'stylesheet' && (l.href === href || /\/katex(\.min)?\.css$/.test(l.href)))) return;
  const link = doc.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  link.dataset.mesaflowFonts = '';
  doc.head.append(link);
}
