// One validator: a field's text is judged by the core's table wherever it arrives. The message
// of mf.parseField (URL keys, element attributes and the settings form go through it), of
// mf.validate (JS config objects) and of the native CLI (--name=value) is the same text for every
// field and a list of hostile values (the CLI may add a hint after it).
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { load, ROOT } from './helpers.mjs';

const CLI = process.env.MESAFLOW_CLI || path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
const { mf } = await load();

const HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '1e400', '-1e400',
  '99999999999999999999999', 'NaN', 'nan', 'Infinity', '-5', '-1e9', '0x', '1.5.2', '５', '٣', '💥', '\u202E5', 'x'.repeat(10000), ' '];

function cliMessage(name, text) {
  const r = spawnSync(CLI, ['theory', `--${name}=${text}`], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, `--${name}=${text.slice(0, 20)} was accepted by the CLI`);
  const line = r.stderr.split('\n')[0];
  assert.ok(line.startsWith('mesaflow: --'), line);
  return line.slice('mesaflow: --'.length);
}

test('parseField, validate and the CLI give the same message for every field and hostile value', () => {
  let cases = 0;
  for (const f of mf.fields()) {
    for (const text of HOSTILE) {
      const p = mf.parseField(f.name, text);
      if (p.message === undefined) {
        // Valid here (e.g. -5 for a0): the value is the number the text says.
        assert.equal(p.value, Number(text), `${f.name}=${text}`);
        continue;
      }
      cases++;
      assert.equal(p.field, f.name);
      assert.ok(p.message.startsWith(`${f.name}: '`), p.message);
      assert.ok(p.message.length < 200, `the value is echoed cut: ${p.message.length} characters`);
      assert.equal(mf.validate({ [f.key]: text })?.message, p.message, `validate ${f.key}=${text.slice(0, 20)}`);
      // The CLI may add a hint of its own after the message (lists and ranges are for sweep).
      const cli = cliMessage(f.name, text);
      if (/[,:]/.test(text)) assert.ok(cli.startsWith(p.message), `CLI --${f.name}=${text.slice(0, 20)}: ${cli}`);
      else assert.equal(cli, p.message, `CLI --${f.name}=${text.slice(0, 20)}`);
    }
  }
  assert.ok(cases > 200, `${cases} cases`);
});

test('parseField reads what the CLI reads, typed as in a config', () => {
  assert.deepEqual(mf.parseField('T', '100'), { field: 'T', value: 100 });
  assert.deepEqual(mf.parseField('sigma-w', '0.25'), { field: 'sigma-w', value: 0.25 });
  assert.deepEqual(mf.parseField('x1', 'sparse'), { field: 'x1', value: 'sparse' });
  assert.deepEqual(mf.parseField('clip', ''), { field: 'clip', value: true });
  assert.deepEqual(mf.parseField('clip', 'off'), { field: 'clip', value: false });
  assert.equal(mf.parseField('lr', '0').message, "lr: '0' is not valid; expected a number in (0, 10]");
  assert.equal(mf.parseField('nope', '1').message, "unknown option 'nope'");
});
