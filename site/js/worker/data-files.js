// Pool worker. A data file's bytes for the core's .npy reader, and what the page shows of it.
// Data files in the training worker: the bytes of the page's File objects for the core's .npy
// reader (mf.createSession(cfg, {data})), and what the page shows of a file the core accepted.
import { problemOf } from '../model/protocol.js';

// The bytes of blob, or the problem the command line reports for a file it cannot open.
async function bytesOf(blob, name, field) {
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch {
    throw Object.assign(new Error(`${field}: cannot open '${name}'`), { field, fields: [field] });
  }
}

// data: {npy: Blob, name, test_npy?: Blob, test_name?} or {w: Blob, w_name} (model/protocol.js,
// create) -> {npy, test_npy?} (the `data` option of mf.createSession) or {w} (its `w` option: process
// fixed's W file), as Uint8Arrays.
export async function readData(data) {
  if (data.w) return { w: await bytesOf(data.w, data.w_name, 'w-file') };
  const files = { npy: await bytesOf(data.npy, data.name, 'data') };
  if (data.test_npy) files.test_npy = await bytesOf(data.test_npy, data.test_name, 'test-data');
  return files;
}

// The dtype and the number of sequences in the header of a .npy file the core accepted (so its
// header is well formed: version 1 has a 2-byte length, versions 2 and 3 a 4-byte one).
function header(bytes) {
  const v1 = bytes[6] === 1;
  const length = new DataView(bytes.buffer, bytes.byteOffset + 8, 4)[v1 ? 'getUint16' : 'getUint32'](0, true);
  const text = new TextDecoder('latin1').decode(bytes.subarray(v1 ? 10 : 12, (v1 ? 10 : 12) + length));
  return { dtype: /c8'/.test(text) ? 'complex64' : 'complex128', m: Number(/'shape':\s*\((\d+)/.exec(text)[1]) };
}

// What an accepted file gives the runs (toPage.opened's info); s: a session on files.
function describeData(data, files, s) {
  const th = s.theory();
  const { d, T } = s.samples(0);
  const head = header(files.npy);
  const m = th.assumption_4_1.draws; // the training sequences the moments were measured on
  return {
    name: data.name, test_name: files.test_npy ? data.test_name : null, dtype: head.dtype, file_m: head.m, m, d, T,
    test_m: files.test_npy ? header(files.test_npy).m : head.m - m, test: files.test_npy ? 'file' : 'held out',
    moments: th.assumption_4_1.source,
  };
}

// What an accepted W file gives the runs: its name and d (the core checked its shape (d, d)).
function describeW(data, cfg) {
  return { kind: 'w', name: data.w_name, d: cfg.d };
}

// data (as in readData) read by the core's reader and checked with cfg, by a session made and
// deleted: {info} (toPage.opened's), or {problem} in the command line's words (a W file: the
// core's checks of the CLI's --w-file, the problem's field 'w-file').
/** @param {import('../../lib/mesaflow.js').Mesaflow} mf */
export async function checkData(mf, cfg, data) {
  let s = null;
  try {
    const files = await readData(data);
    if ('w' in files) {
      s = mf.createSession(cfg, { w: files.w });
      return { info: describeW(data, cfg), problem: null };
    }
    s = mf.createSession(cfg, { data: files });
    return { info: describeData(data, files, s), problem: null };
  } catch (e) {
    return { info: null, problem: problemOf(e) };
  } finally {
    s?.delete();
  }
}
