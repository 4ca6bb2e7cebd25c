// Type-checks the page's JavaScript (site/js, with its JSDoc) against the published declarations
// with TypeScript's checker (tsc --checkJs --noEmit; typescript is a devDependency): the element
// against site/package/mesaflow-demo.d.ts (`@implements` on its class), every use of the module
// against wasm/mesaflow.d.ts. The sources are staged as the package lays them out (js/, lib/,
// vendor/, mesaflow-demo.d.ts) so that their relative imports find the declarations; the tables
// site/build.mjs generates (fields.js, version.js, formulas.js, model/core-tables.js) come from build/site/js. Two
// programs: the main thread's modules with the DOM's types, the pool worker's with a worker's.
// Usage: node site/typecheck.mjs      (make typecheck; part of make test)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SITE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(SITE, '..');
const BUILT = path.join(ROOT, 'build', 'site', 'js');
const STAGE = path.join(ROOT, 'build', 'typecheck');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const fail = (msg) => {
  console.error(`typecheck.mjs: ${msg}`);
  process.exit(1);
};
if (!fs.existsSync(TSC)) fail('node_modules/typescript is missing: run make setup (npm ci)');
if (!fs.existsSync(path.join(BUILT, 'fields.js'))) fail('build/site/js/fields.js is missing: run node site/build.mjs first');

fs.rmSync(STAGE, { recursive: true, force: true });
fs.cpSync(path.join(SITE, 'js'), path.join(STAGE, 'js'), { recursive: true });
for (const f of ['fields.js', 'version.js', 'formulas.js', 'model/core-tables.js']) fs.copyFileSync(path.join(BUILT, f), path.join(STAGE, 'js', f));
fs.mkdirSync(path.join(STAGE, 'lib'));
fs.copyFileSync(path.join(ROOT, 'wasm', 'mesaflow.d.ts'), path.join(STAGE, 'lib', 'mesaflow.d.ts'));
fs.copyFileSync(path.join(SITE, 'package', 'mesaflow-demo.d.ts'), path.join(STAGE, 'mesaflow-demo.d.ts'));
fs.mkdirSync(path.join(STAGE, 'vendor'));
// uPlot's declarations (export =) for the module site/build.mjs makes of its IIFE (export default).
fs.writeFileSync(path.join(STAGE, 'vendor', 'uPlot.esm.d.ts'),
  `${fs.readFileSync(path.join(ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.d.ts'), 'utf8').replace(/^export = uPlot;$/m, 'export default uPlot;')}`);

const common = { allowJs: true, checkJs: true, noEmit: true, target: 'es2022', module: 'es2022', moduleResolution: 'bundler', skipLibCheck: true,
  strict: false, noImplicitAny: false, types: [] };
const programs = {
  page: { lib: ['es2023', 'dom', 'dom.iterable'], include: ['js/element.js', 'js/page.js', 'js/embed.js', 'js/element/**/*.js', 'js/views/**/*.js', 'js/pool/**/*.js', 'js/model/**/*.js'] },
  worker: { lib: ['es2023', 'webworker'], include: ['js/worker/**/*.js', 'js/model/**/*.js'] },
};
let failed = false;
for (const [name, { lib, include }] of Object.entries(programs)) {
  const config = path.join(STAGE, `tsconfig.${name}.json`);
  fs.writeFileSync(config, JSON.stringify({ compilerOptions: { ...common, lib }, include }, null, 2));
  try {
    execFileSync(process.execPath, [TSC, '-p', config], { cwd: STAGE, stdio: 'pipe' });
    console.log(`typecheck.mjs: ${name}: no errors`);
  } catch (e) {
    failed = true;
    console.error(`typecheck.mjs: ${name}:\n${String(e.stdout).replaceAll('js/', 'site/js/')}`);
  }
}
if (failed) process.exit(1);
