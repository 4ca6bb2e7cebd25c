// Assembles the deployable static site into build/site/ (relative paths only):
//   site sources -> build/site/, wasm wrapper + Emscripten output -> build/site/lib/,
//   uPlot (ESM + css) and KaTeX (css + woff2 fonts) -> build/site/vendor/.
// js/fields.js is written here from the module's own field table (mf.fields() of the node build),
// js/model/core-tables.js from its other tables (site/core-tables.mjs),
// js/version.js from package.json's version (the element's `version`; html's {{version}}).
// Formulas are rendered here with KaTeX, so the page ships KaTeX's CSS and fonts, not its JS.
// KaTeX writes inline style="" attributes; they are moved into a generated stylesheet so the
// page can keep a strict Content-Security-Policy (style-src 'self', no 'unsafe-inline').
// The site's own scripts and the Emscripten glue are shipped minified (terser, a devDependency).
// Usage: node site/build.mjs      (MESAFLOW_LIB=/path/to/dir overrides where mesaflow.js is taken from)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FORMULAS } from './formulas.mjs';
import { writeCoreTables } from './core-tables.mjs';
import { minify } from 'terser';

const require = createRequire(import.meta.url);
const katex = require('katex');

const SITE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(SITE, '..');
const OUT = path.join(ROOT, 'build', 'site');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const FIRST_LOAD_BUDGET = 300 * 1024; // bytes, gzipped
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

function fail(msg) {
  console.error(`build.mjs: ${msg}`);
  process.exit(1);
}

// A script as shipped: minified by terser (a devDependency), its comments and blanks dropped and
// its local names shortened, its exports, strings, templates and regular expressions as they
// are. terser parses the module, so a syntax error fails the build. The comments and the long
// names cost no bytes at first load.
async function minifyScript(src, file) {
  try {
    const { code } = await minify(src, { module: true, ecma: 2022, compress: true, mangle: true, format: { comments: false } });
    return `${code}\n`;
  } catch (e) {
    fail(`${file}: ${e.message}${e.line ? ` (line ${e.line}, column ${e.col})` : ''}`);
  }
}

function copy(from, to) {
  if (!fs.existsSync(from)) fail(`missing ${path.relative(ROOT, from)}`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

// --- KaTeX: render every formula once, collect inline styles into classes -------------------
const styleClasses = new Map(); // css text -> class name

function hoistStyles(html) {
  return html.replace(/<([a-zA-Z]+)([^>]*?)\sstyle="([^"]*)"([^>]*)>/g, (all, tag, pre, style, post) => {
    let cls = styleClasses.get(style);
    if (!cls) {
      cls = `kx${styleClasses.size}`;
      styleClasses.set(style, cls);
    }
    const attrs = `${pre}${post}`;
    if (/\sclass="/.test(attrs)) return `<${tag}${attrs.replace(/\sclass="([^"]*)"/, ` class="$1 ${cls}"`)}>`;
    return `<${tag} class="${cls}"${attrs}>`;
  });
}

const rendered = {};
for (const [name, tex] of Object.entries(FORMULAS)) {
  for (const display of [false, true]) {
    const html = katex.renderToString(tex, { displayMode: display, throwOnError: true, output: 'htmlAndMathml' });
    rendered[`${display ? 'texd' : 'tex'}:${name}`] = hoistStyles(html);
  }
}

// The formulas each shipped file carries (its path under build/site -> keys of `rendered`): the
// first-load count takes the KaTeX fonts of these only.
const formulasIn = new Map();

function fillTemplate(text, file) {
  const keys = new Set();
  formulasIn.set(file, keys);
  return text.replaceAll('{{version}}', VERSION).replace(/\{\{(texd?):([A-Za-z0-9]+)\}\}/g, (all, kind, name) => {
    const html = rendered[`${kind}:${name}`];
    if (!html) fail(`${file}: unknown formula ${name}`);
    keys.add(`${kind}:${name}`);
    return html;
  });
}

// --- copy site sources -----------------------------------------------------------------------
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
const SKIP = new Set(['build.mjs', 'core-tables.mjs', 'serve.mjs', 'formulas.mjs', 'package.mjs', 'package', 'README.md']);
async function copySources(dir, rel = '') {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(ent.name) && rel === '') continue;
    const src = path.join(dir, ent.name);
    const dst = path.join(OUT, rel, ent.name);
    if (ent.isDirectory()) await copySources(src, path.join(rel, ent.name));
    else if (rel.split(path.sep)[0] === 'js' && ent.name.endsWith('.js')) {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.writeFileSync(dst, await minifyScript(fs.readFileSync(src, 'utf8'), path.join(rel, ent.name)));
    } else if (ent.name.endsWith('.html')) {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.writeFileSync(dst, fillTemplate(fs.readFileSync(src, 'utf8'), path.join(rel, ent.name)));
    } else copy(src, dst);
  }
}
await copySources(SITE);

// Formulas used inside the custom element's shadow root (trusted, generated here): only those
// that the scripts name, as {tex: 'name'} or {texd: 'name'}.
const wanted = new Set();
for (const f of fs.readdirSync(path.join(SITE, 'js'), { recursive: true }).filter((n) => n.endsWith('.js'))) {
  for (const m of fs.readFileSync(path.join(SITE, 'js', f), 'utf8').matchAll(/\{\s*(texd?):\s*'([A-Za-z0-9]+)'\s*\}/g)) {
    if (!rendered[`${m[1]}:${m[2]}`]) fail(`js/${f}: unknown formula ${m[1]}:${m[2]}`);
    wanted.add(`${m[1]}:${m[2]}`);
  }
}
formulasIn.set(path.join('js', 'formulas.js'), wanted);
const formulaModule = Object.fromEntries([...wanted].map((k) => [k, rendered[k]]));
fs.writeFileSync(path.join(OUT, 'js', 'formulas.js'),
  `// Generated by site/build.mjs from site/formulas.mjs: KaTeX HTML, trusted build-time output.\n` +
  `export const FORMULA_HTML = ${JSON.stringify(formulaModule)};\n`);
// Only the classes of the formulas shipped.
const shipped = [...formulasIn.values()].flatMap((keys) => [...keys]).map((k) => rendered[k]).join('');
fs.writeFileSync(path.join(OUT, 'css', 'tex.css'),
  `/* Generated by site/build.mjs: KaTeX inline styles hoisted into classes (strict CSP). */\n` +
  [...styleClasses].filter(([, cls]) => new RegExp(`\\b${cls}\\b`).test(shipped)).map(([style, cls]) => `.${cls}{${style}}`).join('\n') + '\n');

// --- the field table ---------------------------------------------------------------------------
// The rows of mf.fields() (name, key, kind, label, group, help, range, choices, default), from the
// CommonJS build of the same sources (the wasm inlined): the element's attributes, the URL keys
// and the settings form are built from them, before the module is loaded in the page.
const libDir = process.env.MESAFLOW_LIB;
const nodeBuild = [libDir, path.join(ROOT, 'build', 'wasm')].filter(Boolean).map((d) => path.join(d, 'mesaflow_node.js')).find((f) => fs.existsSync(f));
if (!nodeBuild) fail('build/wasm/mesaflow_node.js not found: build the WebAssembly module first (see README)');
const fields = (await require(nodeBuild)()).fields();
if (!Array.isArray(fields) || !fields.length || !fields.every((f) => f.name && f.key && f.kind)) fail(`${nodeBuild}: fields() gave no field rows`);
fs.writeFileSync(path.join(OUT, 'js', 'fields.js'),
  `// Generated by site/build.mjs from mf.fields() (${path.relative(ROOT, nodeBuild)}): one row per config field.\n` +
  `export const FIELDS = [\n${fields.map((f) => ` ${JSON.stringify(f)},\n`).join('')}];\n`);

// The core's other tables (live fields, data fields, history columns, ranges, the memory
// refusal's words) for js/model/: site/core-tables.mjs.
try {
  await writeCoreTables(nodeBuild, path.join(OUT, 'js', 'model', 'core-tables.js'));
} catch (e) {
  fail(e.message);
}

fs.writeFileSync(path.join(OUT, 'js', 'version.js'),
  `// Generated by site/build.mjs from package.json: mesaflow's version (mf.version says the same).\n` +
  `export const VERSION = ${JSON.stringify(VERSION)};\n`);

// --- the wasm module -------------------------------------------------------------------------
if (libDir) {
  console.warn(`build.mjs: taking lib/ from ${libDir} (MESAFLOW_LIB)`);
  for (const f of fs.readdirSync(libDir)) copy(path.join(libDir, f), path.join(OUT, 'lib', f));
} else {
  const core = path.join(ROOT, 'build', 'wasm');
  if (!fs.existsSync(path.join(core, 'mesaflow_core.wasm'))) {
    fail('build/wasm/mesaflow_core.wasm not found: build the WebAssembly module first (see README)');
  }
  fs.mkdirSync(path.join(OUT, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(OUT, 'lib', 'mesaflow.js'), await minifyScript(fs.readFileSync(path.join(ROOT, 'wasm', 'mesaflow.js'), 'utf8'), 'wasm/mesaflow.js'));
  fs.writeFileSync(path.join(OUT, 'lib', 'mesaflow_core.js'), await minifyScript(fs.readFileSync(path.join(core, 'mesaflow_core.js'), 'utf8'), 'build/wasm/mesaflow_core.js'));
  copy(path.join(core, 'mesaflow_core.wasm'), path.join(OUT, 'lib', 'mesaflow_core.wasm'));
}

// KaTeX's stylesheet without the rules no formula can match: every formula the site shows is
// rendered above (nothing renders TeX in the browser), so a selector naming a class that none of
// them carries matches nothing. Kept: the @font-face rules, and each rule with at least one
// selector all of whose classes occur in the rendered formulas (a selector is split at its
// top-level commas; its classes are the .name tokens outside strings and outside :not(), which
// matches where its class is absent). Checked by hand: the story's 8 and the laboratory's 15
// formulas had the same pixels as with the whole stylesheet (a pixel test of it was flaky in a
// loaded clean clone and is not in the suite yet).
function pruneKatexCss(css) {
  const used = new Set();
  for (const html of Object.values(rendered))
    for (const m of html.matchAll(/class="([^"]*)"/g)) for (const c of m[1].split(/\s+/)) used.add(c);
  const rules = [...css.matchAll(/(@font-face|[^{}@]+)\{([^}]*)\}/g)];
  if (rules.map((m) => m[0]).join('') !== css.trim()) fail('unexpected layout of katex.min.css: text outside its rules');
  const out = [];
  let kept = 0, dropped = 0;
  for (const m of rules) {
    const [, head, body] = m;
    if (head === '@font-face') { out.push(m[0]); continue; }
    const selectors = [];
    let depth = 0, start = 0;
    for (let i = 0; i <= head.length; i++) {
      const ch = head[i];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if ((ch === ',' && depth === 0) || i === head.length) { selectors.push(head.slice(start, i)); start = i + 1; }
    }
    const live = selectors.filter((sel) => [...sel.replace(/"[^"]*"/g, '').replace(/:not\([^)]*\)/g, '').matchAll(/\.([A-Za-z_][\w-]*)/g)].every((c) => used.has(c[1])));
    if (live.length) { out.push(`${live.join(',')}{${body}}`); kept++; } else dropped++;
  }
  const rebuilt = out.join('');
  console.log(`build.mjs: katex.min.css: ${kept} rules kept, ${dropped} that no rendered formula matches dropped`);
  return rebuilt;
}

// --- vendor files from node_modules ------------------------------------------------------------
// uPlot ships its minified build only as an IIFE (`var uPlot = function(){...}()`); in a module
// that var stays module-scoped, so appending an export turns it into an ES module with no global.
const uplotMin = fs.readFileSync(path.join(NODE_MODULES, 'uplot', 'dist', 'uPlot.iife.min.js'), 'utf8');
if (!/^(\/\*[^]*?\*\/\s*)?var uPlot=function\(\)/.test(uplotMin)) fail('unexpected layout of uPlot.iife.min.js');
fs.mkdirSync(path.join(OUT, 'vendor'), { recursive: true });
fs.writeFileSync(path.join(OUT, 'vendor', 'uPlot.esm.js'), `${uplotMin}\nexport default uPlot;\n`);
copy(path.join(NODE_MODULES, 'uplot', 'dist', 'uPlot.min.css'), path.join(OUT, 'vendor', 'uPlot.min.css'));
copy(path.join(NODE_MODULES, 'uplot', 'LICENSE'), path.join(OUT, 'vendor', 'LICENSE.uplot'));
copy(path.join(NODE_MODULES, 'katex', 'LICENSE'), path.join(OUT, 'vendor', 'LICENSE.katex'));
// Only woff2 is shipped (every browser that runs wasm reads it): drop the woff/ttf fallbacks.
const katexCss = fs.readFileSync(path.join(NODE_MODULES, 'katex', 'dist', 'katex.min.css'), 'utf8')
  .replace(/,url\(fonts\/[^)]+\.woff\) format\("woff"\)/g, '')
  .replace(/,url\(fonts\/[^)]+\.ttf\) format\("truetype"\)/g, '');
fs.mkdirSync(path.join(OUT, 'vendor', 'katex', 'fonts'), { recursive: true });
fs.writeFileSync(path.join(OUT, 'vendor', 'katex', 'katex.min.css'), pruneKatexCss(katexCss));
// The @font-face rules alone: the custom element links them into the document (a font declared
// inside a shadow root is not loaded), see js/template.js.
const faces = katexCss.match(/@font-face\{[^}]*\}/g) ?? [];
if (faces.length < 10) fail('unexpected layout of katex.min.css: no @font-face rules');
fs.writeFileSync(path.join(OUT, 'vendor', 'katex', 'katex-fonts.css'), `${faces.join('\n')}\n`);
for (const f of fs.readdirSync(path.join(NODE_MODULES, 'katex', 'dist', 'fonts'))) {
  if (f.endsWith('.woff2')) copy(path.join(NODE_MODULES, 'katex', 'dist', 'fonts', f), path.join(OUT, 'vendor', 'katex', 'fonts', f));
}

// --- first-load size -------------------------------------------------------------------------
// What a page (index.html, the story; lab.html, the laboratory) loads: the html, its stylesheets, the module graph of its scripts (static
// imports), the worker and its graph, the wasm, and the KaTeX fonts the rendered formulas use.
function moduleGraph(entry, seen) {
  if (seen.has(entry) || !fs.existsSync(entry)) return;
  seen.add(entry);
  const text = fs.readFileSync(entry, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g), ...text.matchAll(/import\s*['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\)/g)].map((m) => m[1]);
  for (const s of specs) moduleGraph(path.resolve(path.dirname(entry), s), seen);
}
function firstLoad(htmlFile) {
  const html = fs.readFileSync(htmlFile, 'utf8');
  const files = new Set([htmlFile]);
  for (const m of html.matchAll(/<(?:link|script)[^>]+(?:href|src)="([^"]+)"/g)) {
    const f = path.resolve(path.dirname(htmlFile), m[1]);
    if (f.endsWith('.js')) moduleGraph(f, files); else files.add(f);
  }
  // The mesa card's module (js/views/comparators.js, imported with the card's first view): a page
  // whose demos show the mesa card (no views attribute, or one naming mesa) loads it at once.
  if ([...html.matchAll(/<mesaflow-demo\b[^>]*>/g)].some((m) => !/\sviews="/.test(m[0]) || /\sviews="[^"]*\bmesa\b/.test(m[0]))) {
    moduleGraph(path.join(OUT, 'js', 'views', 'comparators.js'), files);
  }
  // Stylesheets the custom element links inside its shadow root (see js/template.js).
  for (const f of ['css/demo.css', 'vendor/uPlot.min.css']) files.add(path.join(OUT, f));
  // The KaTeX fonts of the formulas these files carry (KaTeX's classes: mathnormal is set in
  // Math-Italic, small-op in Size1, large-op in Size2, delimsizing sizeN in SizeN; katex-sizing
  // sizeN is a font size, not a font).
  const tex = [...files].map((f) => formulasIn.get(path.relative(OUT, f))).filter(Boolean).flatMap((keys) => [...keys]).map((k) => rendered[k]).join('');
  const classes = new Set([...tex.matchAll(/class="([^"]*)"/g)].map((m) => m[1]));
  const used = new Set(tex ? ['Main-Regular'] : []);
  const fontOf = { mathnormal: 'Math-Italic', 'small-op': 'Size1-Regular', 'large-op': 'Size2-Regular', amsrm: 'AMS-Regular',
    mathbb: 'AMS-Regular', mathbf: 'Main-Bold', mathit: 'Main-Italic', textit: 'Main-Italic', mathcal: 'Caligraphic-Regular' };
  for (const c of classes) {
    const names = c.split(' ');
    for (const n of names) if (fontOf[n]) used.add(fontOf[n]);
    const size = names.includes('delimsizing') && names.find((n) => /^size[1-4]$/.test(n));
    if (size) used.add(`Size${size.slice(4)}-Regular`);
  }
  for (const font of used) files.add(path.join(OUT, 'vendor', 'katex', 'fonts', `KaTeX_${font}.woff2`));
  let raw = 0, gz = 0;
  const rows = [];
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    const buf = fs.readFileSync(f);
    const g = zlib.gzipSync(buf, { level: 9 }).length;
    raw += buf.length; gz += g;
    rows.push([path.relative(OUT, f), buf.length, g]);
  }
  return { raw, gz, rows };
}

const kb = (n) => (n / 1024).toFixed(1);
for (const html of ['index.html', 'lab.html']) {
  const load = firstLoad(path.join(OUT, html));
  console.log(`${html}:`);
  for (const [f, r, g] of load.rows.sort((a, b) => b[2] - a[2])) console.log(`  ${f.padEnd(44)} ${String(r).padStart(8)} B  ${String(g).padStart(7)} B gz`);
  console.log(`build.mjs: first load of ${html}: ${kb(load.raw)} KiB raw, ${kb(load.gz)} KiB gzipped ` +
    `(${load.rows.length} files, budget ${kb(FIRST_LOAD_BUDGET)} KiB)`);
  if (load.gz > FIRST_LOAD_BUDGET) {
    console.error(`build.mjs: first load of ${html} ${kb(load.gz)} KiB gzipped exceeds the ${kb(FIRST_LOAD_BUDGET)} KiB budget`);
    process.exit(1);
  }
}
console.log(`build.mjs: wrote ${path.relative(ROOT, OUT)}/`);
