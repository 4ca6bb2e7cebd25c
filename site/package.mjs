// Builds the npm package of the element into build/package/ and packs it (npm pack) into
// build/package/mesaflow-<version>.tgz. Run after site/build.mjs (make package does both).
// The package holds what <mesaflow-demo> loads, found by following its files from js/element.js in
// build/site/: the module graph (static and dynamic imports, workers and the wasm by
// new URL(..., import.meta.url)), the stylesheets the element links (template.js names them by
// their path under the package, 'css/...' and 'vendor/...') and the fonts those stylesheets use;
// plus the JS API's types (wasm/mesaflow.d.ts), the element's (site/package/mesaflow-demo.d.ts),
// a README for embedders (site/package/README.md, with the field table and presets filled in from
// the build) and a package.json with no dependencies (so it installs offline).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SITE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(SITE, '..');
const BUILT = path.join(ROOT, 'build', 'site');
const OUT = path.join(ROOT, 'build', 'package');
const ENTRY = path.join(BUILT, 'js', 'element.js');

function fail(msg) {
  console.error(`package.mjs: ${msg}`);
  process.exit(1);
}
if (!fs.existsSync(ENTRY)) fail('build/site/js/element.js not found: run "node site/build.mjs" first');
const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

// The files a file refers to (absolute paths under build/site).
function references(file) {
  const text = fs.readFileSync(file, 'utf8');
  const dir = path.dirname(file);
  if (file.endsWith('.css')) return [...text.matchAll(/url\(\s*['"]?([^'")]+?)['"]?\s*\)/g)].filter((m) => !/^(data:|[a-z]+:\/\/)/.test(m[1])).map((m) => path.resolve(dir, m[1]));
  if (!file.endsWith('.js')) return [];
  const relative = [
    ...text.matchAll(/(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/import\s*\(?\s*['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\)/g),
  ].map((m) => path.resolve(dir, m[1]));
  // Stylesheets named by their path under the package (template.js: css('vendor/uPlot.min.css')).
  const named = [...text.matchAll(/['"]((?:css|vendor)\/[\w./-]+\.css)['"]/g)].map((m) => path.join(BUILT, m[1]));
  return [...relative, ...named];
}

const files = new Set();
(function walk(file) {
  if (files.has(file)) return;
  if (!fs.existsSync(file)) fail(`${path.relative(BUILT, file)} (referred to in the element's files) is not in build/site`);
  files.add(file);
  for (const f of references(file)) walk(f);
})(ENTRY);
for (const f of fs.readdirSync(path.join(BUILT, 'vendor'))) if (f.startsWith('LICENSE')) files.add(path.join(BUILT, 'vendor', f));

fs.rmSync(OUT, { recursive: true, force: true });
for (const f of files) {
  const to = path.join(OUT, path.relative(BUILT, f));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(f, to);
}
fs.copyFileSync(path.join(ROOT, 'wasm', 'mesaflow.d.ts'), path.join(OUT, 'lib', 'mesaflow.d.ts'));
fs.copyFileSync(path.join(SITE, 'package', 'mesaflow-demo.d.ts'), path.join(OUT, 'mesaflow-demo.d.ts'));

// --- README: the attributes from the generated field table, the presets from presets.js ------
// (Both are ES modules without imports, read as such whatever the package.json around them says.)
const esm = (file) => import(`data:text/javascript;base64,${fs.readFileSync(path.join(BUILT, 'js', file)).toString('base64')}`);
const { FIELDS } = await esm('fields.js');
const { PRESETS, DEFAULT_PRESET } = await esm('model/presets.js');
const range = (f) => (f.kind === 'integer' || f.kind === 'number' ? `${f.min_open ? '(' : '['}${f.min}, ${f.max}]` : f.kind === 'choice' ? f.choices.join(', ') : f.kind === 'flag' ? 'true, false' : 'text');
const cell = (s) => String(s).replace(/\|/g, '\\|');
const attributes = FIELDS.map((f) => `| \`${f.name.toLowerCase()}\` | ${cell(f.label)} | ${cell(range(f))} | \`${cell(f.default)}\` |`).join('\n');
const presets = Object.entries(PRESETS).map(([k, p]) => `\`${k}\` (${p.label})`).join(', ');
const readme = fs.readFileSync(path.join(SITE, 'package', 'README.md'), 'utf8')
  .replaceAll('{{version}}', root.version).replace('{{attributes}}', attributes).replace('{{presets}}', presets).replace('{{default_preset}}', DEFAULT_PRESET);
if (/\{\{\w+\}\}/.test(readme)) fail(`site/package/README.md: unknown placeholder ${readme.match(/\{\{\w+\}\}/)[0]}`);
fs.writeFileSync(path.join(OUT, 'README.md'), readme);

// --- package.json -----------------------------------------------------------------------------
const element = { types: './mesaflow-demo.d.ts', default: './js/element.js' };
const pkg = {
  name: root.name,
  version: root.version,
  description: `${root.description}: the <mesaflow-demo> custom element, which trains the model live in the browser (WebAssembly in Web Workers)`,
  type: 'module',
  exports: {
    '.': element,
    './element': element,
    './api': { types: './lib/mesaflow.d.ts', default: './lib/mesaflow.js' },
    './package.json': './package.json',
  },
  types: './mesaflow-demo.d.ts',
  files: ['js/', 'lib/', 'css/', 'vendor/', 'mesaflow-demo.d.ts'],
  keywords: ['custom-element', 'web-component', 'webassembly', 'transformer', 'mesa-optimization', 'in-context-learning'],
};
fs.writeFileSync(path.join(OUT, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

// --- npm pack -----------------------------------------------------------------------------------
const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--offline', '--ignore-scripts', '--pack-destination', OUT], { cwd: OUT, encoding: 'utf8' }))[0];
const tgz = path.join(OUT, packed.filename);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`package.mjs: ${path.relative(ROOT, tgz)}: ${kib(fs.statSync(tgz).size)} (${packed.entryCount} files, ${kib(packed.unpackedSize)} unpacked)`);
for (const f of packed.files) console.log(`  ${f.path.padEnd(44)} ${String(f.size).padStart(8)} B`);
