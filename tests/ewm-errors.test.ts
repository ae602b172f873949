// A malformed .ewm is refused at load with a message naming the file, the field and the value;
// each case below mutates a real converted model (and re-seals its CRC where the check under test
// comes after the CRC).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as F from '../host/format.js';
import { loadModel, EwmError } from '../host/index.js';
import { convertTflite } from '../models/convert.js';
import { GOLDEN } from './golden.js';

const valid = convertTflite(new Uint8Array(readFileSync(join(GOLDEN, 'ops', 'conv2d_1x1.tflite'))), 'conv2d_1x1.tflite').bytes;

function mutate(change: (view: DataView, bytes: Uint8Array) => Uint8Array | void, reseal = true): Uint8Array {
  let bytes: Uint8Array = valid.slice();
  bytes = change(new DataView(bytes.buffer), bytes) ?? bytes;
  if (reseal) new DataView(bytes.buffer).setUint32(F.H_CRC32, crc32(bytes.subarray(F.CRC_START)), true);
  return bytes;
}

async function refusal(bytes: Uint8Array): Promise<string> {
  try {
    await loadModel(bytes, { name: 'm.ewm' });
  } catch (e) {
    assert.ok(e instanceof EwmError, `expected an EwmError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('the model loaded');
}

const tensorRec = (i: number) => F.HEADER_SIZE + i * F.TENSOR_RECORD_SIZE;
const firstOp = (v: DataView) => v.getUint32(F.H_OP_TABLE, true);

const CASES: [string, (v: DataView, b: Uint8Array) => Uint8Array | void, RegExp, boolean?][] = [
  ['bad magic', (v) => v.setUint32(0, 0x12345678, true), /^m\.ewm: magic 0x12345678, expected 0x304d5745 \("EWM0"\): not an \.ewm file$/],
  ['unknown version', (v) => v.setUint16(F.H_VERSION, 2, true), /^m\.ewm: version 2, this runtime reads 1$/],
  ['short file', (_, b) => b.subarray(0, 40), /^m\.ewm: file is 40 bytes, shorter than the 64-byte header$/, false],
  ['truncated', (_, b) => b.subarray(0, b.length - 16), /^m\.ewm: file_size \d+, but the file has \d+ bytes \(truncated\)$/, false],
  ['trailing bytes', (_, b) => { const c = new Uint8Array(b.length + 16); c.set(b); return c; }, /^m\.ewm: file_size \d+, but the file has \d+ bytes \(trailing bytes\)$/, false],
  ['corrupt weights', (_, b) => { b[b.length - 20]! ^= 0x40; }, /^m\.ewm: crc32 mismatch \(computed 0x[0-9a-f]{8}\): the file is corrupt$/, false],
  ['header size', (v) => v.setUint16(F.H_VERSION + 2, 32, true), /^m\.ewm: header_size 32, expected 64$/],
  ['misaligned op table', (v) => v.setUint32(F.H_OP_TABLE, v.getUint32(F.H_OP_TABLE, true) + 4, true), /^m\.ewm: op_table \d+ is out of range or misaligned$/],
  ['misaligned tensor', (v) => v.setUint32(tensorRec(0) + F.T_OFFSET, v.getUint32(tensorRec(0) + F.T_OFFSET, true) + 4, true), /^m\.ewm: tensor 0: offset \d+ is misaligned or out of range$/],
  ['tensor past the arena', (v) => v.setUint32(tensorRec(0) + F.T_OFFSET, 1 << 20, true), /^m\.ewm: tensor 0: offset 1048576 is misaligned or out of range$/],
  ['reserved encoding', (v) => v.setUint8(tensorRec(1) + F.T_ENCODING, 1), /^m\.ewm: tensor 1: encoding 1 is not supported by this runtime$/],
  ['bytes that do not fit the shape', (v) => v.setUint32(tensorRec(0) + F.T_BYTES, 7, true), /^m\.ewm: tensor 0: bytes 7 does not match its shape and dtype$/],
  ['zero dimension', (v) => v.setInt32(tensorRec(0) + F.T_DIMS, 0, true), /^m\.ewm: tensor 0: dimension 0 is invalid$/],
  ['unknown op code', (v) => v.setUint16(firstOp(v) + F.O_CODE, 99, true), /^m\.ewm: op 0: op code 99 is unknown$/],
  ['op tensor out of range', (v) => v.setInt32(v.getUint32(firstOp(v) + F.O_ARGS, true), 999, true), /^m\.ewm: op 0: tensor index 999 is out of range or not writable$/],
  ['op args past the end', (v, b) => v.setUint32(firstOp(v) + F.O_ARGS, b.length - 4, true), /^m\.ewm: op 0 args \d+ run past the end of the file$/],
];

for (const [what, change, message, reseal] of CASES) {
  test(`ewm: ${what} is refused with its field and value`, async () => {
    assert.match(await refusal(mutate(change, reseal ?? true)), message);
  });
}

test('ewm: the unmutated model loads, and a wrong-sized input is refused by name', async () => {
  const model = await loadModel(valid, { name: 'm.ewm' });
  assert.equal(model.inputs[0]!.dtype, 'int8');
  assert.throws(() => model.run(new Int8Array(5)), /^EwmError: m\.ewm: input 0 \('x'\) has 5 elements, expected 1024 \(shape \[1,8,8,16\]\)$/);
  assert.throws(() => model.run(new Float32Array(1024)), /must be a Int8Array \(int8\)/);
});

test('ewm: a model needing more memory than maxMemory is refused before memory grows', async () => {
  const info = (await loadModel(valid, { name: 'm.ewm' })).info;
  const need = valid.length + info.arenaSize;
  await assert.rejects(loadModel(valid, { name: 'm.ewm', maxMemory: need - 1 }), (e: Error) =>
    e instanceof EwmError && e.message === `m.ewm: needs ${need} bytes of memory (model ${valid.length} + arena ${info.arenaSize}), over the cap of ${need - 1} bytes (maxMemory, --max-memory)`);
  await loadModel(valid, { name: 'm.ewm', maxMemory: need });
});
