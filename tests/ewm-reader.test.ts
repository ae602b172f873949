// An .ewm read back (models/ewm-reader.ts) and written again (convert.ts's writeLowered) is the same
// file, byte for byte, for the four MLPerf models (VWW's weights partly sparse); `compress` of an
// .ewm equals `compress` of the .tflite it came from, byte for byte, per layer and global, and so
// does removing channels (--structured; VWW computes the same outputs from a file laid out
// differently); the CLI takes an .ewm; low rank (which needs float weights), a sparse tensor
// whose bitmaps do not match its bytes, a broken file and 1,000 mutated ones are refused by name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, MLPERF, mlperfCase, sample } from './golden.js';
import { convertTflite, writeLowered } from '../models/convert.js';
import { readLowered } from '../models/ewm-reader.js';
import { compressModel } from '../models/compress/index.js';
import { readEwm } from '../host/ewm.js';
import { seedFiles, fuzzCase } from './fuzz.js';
import { loadModel } from '../host/index.js';
import * as F from '../host/format.js';

const CLI = join(ROOT, 'dist', 'host', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'edgewasm-ewm-reader-'));
const tflite = (name: string) => new Uint8Array(readFileSync(join(MLPERF, `${name}.tflite`)));

for (const name of ['kws_ref_model', 'vww_96_int8', 'pretrainedResnet_quant', 'ad01_int8']) {
  test(`${name}: an .ewm read back and written again is the same file`, () => {
    const ewm = convertTflite(tflite(name), `${name}.tflite`).bytes;
    const model = readLowered(ewm, `${name}.ewm`);
    if (name === 'vww_96_int8') assert.ok(readEwm(ewm).tensors.some((t) => t.sparse), 'VWW has sparse weights to decode');
    const again = writeLowered({ ...model.graph, tensors: [...model.graph.tensors] }, model.ops).bytes;
    assert.equal(again.length, ewm.length);
    assert.ok(again.every((b, i) => b === ewm[i]), 'bytes differ');
  });
}

test('compress of an .ewm equals compress of its .tflite, per layer and global', () => {
  for (const name of ['kws_ref_model', 'ad01_int8']) {
    const ewm = convertTflite(tflite(name), `${name}.tflite`).bytes;
    for (const scope of ['layer', 'global'] as const) {
      const [a, b] = [compressModel(tflite(name), `${name}.tflite`, [0.8], { scope })[0]!, compressModel(ewm, `${name}.ewm`, [0.8], { scope })[0]!];
      assert.equal(b.zeros, a.zeros);
      assert.ok(b.ewm.length < ewm.length, `${name} ${scope}: ${b.ewm.length} bytes, not smaller than ${ewm.length}`);
      assert.deepEqual(b.ewm, a.ewm, `${name} ${scope}`);
    }
  }
});

test('compress --structured of an .ewm removes the channels its .tflite loses, with the same outputs', async () => {
  for (const name of ['kws_ref_model', 'pretrainedResnet_quant', 'ad01_int8', 'vww_96_int8']) {
    const ewm = convertTflite(tflite(name), `${name}.tflite`).bytes;
    const opts = { method: 'structured' as const };
    const [a, b] = [compressModel(tflite(name), `${name}.tflite`, [0.5], opts)[0]!, compressModel(ewm, `${name}.ewm`, [0.5], opts)[0]!];
    assert.equal(b.zeros, a.zeros, name);
    assert.ok(b.zeros > 0 && b.ewm.length < ewm.length, `${name}: ${b.zeros} channels, ${b.ewm.length} of ${ewm.length} bytes`);
    if (name !== 'vww_96_int8') {
      assert.deepEqual(b.ewm, a.ewm, name);
      continue;
    }
    // VWW's .ewm holds 1x1 convs already rewritten as the fully connected layers they are (their
    // weights were sparse): a different file, the same arithmetic.
    const c = mlperfCase(name);
    for (const build of ['simd', 'mvp'] as const) {
      const ma = await loadModel(a.ewm, { build, name }), mb = await loadModel(b.ewm, { build, name });
      for (const i of [0, 5]) {
        const { data, bytesPerSample, dtype } = c.inputs[0]!;
        const x = sample(data, bytesPerSample, i, dtype);
        assert.deepEqual(mb.run(x)[0], ma.run(x)[0], `${name} ${build} sample ${i}`);
      }
    }
  }
});

test('edgewasm compress takes an .ewm; low rank needs the float source model', () => {
  const input = join(work, 'ad.ewm'), out = join(work, 'ad80.ewm');
  writeFileSync(input, convertTflite(tflite('ad01_int8'), 'ad01_int8.tflite').bytes);
  const r = spawnSync(process.execPath, [CLI, 'compress', input, '--prune', '0.8', '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| layer 0\.8 \| 80\.0 % \| /);
  assert.deepEqual(new Uint8Array(readFileSync(out)), compressModel(tflite('ad01_int8'), 'ad01_int8.tflite', [0.8])[0]!.ewm);
  const never = join(work, 'never.ewm');
  const s = spawnSync(process.execPath, [CLI, 'compress', input, '--rank', '4', '-o', never], { encoding: 'utf8' });
  assert.equal(s.status, 1);
  assert.match(s.stderr, /^error: ad\.ewm: low-rank factorization takes the float \.tflite or \.onnx model; an \.ewm is int8/);
  assert.ok(!existsSync(never));
});

test('a sparse tensor whose bitmaps do not match its bytes is refused by name', () => {
  const ewm = compressModel(tflite('ad01_int8'), 'ad01_int8.tflite', [0.8])[0]!.ewm.slice();
  const info = readEwm(ewm);
  const t = info.tensors.find((x) => x.sparse)!;
  const view = new DataView(ewm.buffer);
  const rec = view.getUint32(F.H_TENSOR_TABLE, true) + t.index * F.TENSOR_RECORD_SIZE;
  view.setUint32(rec + F.T_BYTES, t.bytes - 1, true); // one value fewer than the bitmaps count
  assert.throws(() => readLowered(ewm, 'bad.ewm'), (e: Error) => e.name === 'EwmError'
    && e.message === `bad.ewm: tensor ${t.index} ('${t.name}'): its sparse bitmaps do not match its ${t.bytes - 1} bytes`);
});

test('fuzz: 1,000 mutated .ewm files are pruned or refused by name, nothing else', () => {
  const seeds = seedFiles();
  let pruned = 0;
  for (let seed = 1; seed <= 1000; seed++) {
    const { name, bytes } = fuzzCase(seeds, 'ewm', seed);
    for (const method of ['prune', 'structured'] as const) {
      try {
        compressModel(bytes, name, [0.5], { method });
        pruned++;
      } catch (e) {
        assert.ok(e instanceof Error && (e.name === 'EwmError' || e.name === 'ConvertError'), `seed ${seed} ${method}: ${String(e)}`);
        assert.ok(e.message.startsWith(`${name}: `), `seed ${seed} ${method}: ${e.message}`);
      }
    }
  }
  assert.ok(pruned > 200, `${pruned} pruned`);
});

test('edgewasm compress refuses a broken .ewm by name, with no stack trace and no output', () => {
  const bytes = convertTflite(tflite('ad01_int8'), 'ad01_int8.tflite').bytes.slice();
  new DataView(bytes.buffer).setUint32(F.H_TENSOR_COUNT, 100000, true);
  const input = join(work, 'broken.ewm'), out = join(work, 'broken-out.ewm');
  writeFileSync(input, bytes);
  const r = spawnSync(process.execPath, [CLI, 'compress', input, '--prune', '0.5', '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error: broken\.ewm: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.ok(!existsSync(out));
});
