// The converter refuses what it cannot run exactly — an unknown op, an unsupported type, a file
// that is not TFLite — with a message naming the op (name and index) or the file and field.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteBuffer } from 'flatbuffers';
import { convertTflite, convertGraph } from '../models/convert.js';
import { readTflite } from '../models/tflite/import.js';
import { ConvertError } from '../models/graph.js';
import { GOLDEN, MLPERF } from './golden.js';

/** A real TFLite file with its first operator code's deprecated_builtin_code byte set to `code`. */
function withOperatorCode(path: string, code: number): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  const bb = new ByteBuffer(bytes);
  const model = bb.readInt32(0);
  const field = (table: number, slot: number) => bb.__offset(table, 4 + 2 * slot);
  const codes = bb.__vector(model + field(model, 1));
  const first = bb.__indirect(codes);
  const deprecated = field(first, 0);
  assert.ok(deprecated > 0, 'the model stores deprecated_builtin_code');
  bytes[first + deprecated] = code;
  return bytes;
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConvertError, `expected a ConvertError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('converted');
}

test('convert: an unsupported operator is refused with its name and index', () => {
  // 99 is SQUARED_DIFFERENCE in TFLite's BuiltinOperator enum.
  const bytes = withOperatorCode(join(GOLDEN, 'ops', 'conv2d_1x1.tflite'), 99);
  assert.match(refusal(() => convertTflite(bytes, 'sqdiff.tflite')), /op 0 \(SQUARED_DIFFERENCE\): operator not supported by edgewasm/);
});

test('convert: lowering a float graph without quantizing it refuses float activations, naming the op and the tensor type', () => {
  const graph = readTflite(new Uint8Array(readFileSync(join(MLPERF, 'ad01_fp32.tflite'))), 'ad01_fp32.tflite');
  assert.match(refusal(() => convertGraph(graph)), /op 0 \(FULLY_CONNECTED\): tensor '.*' is float32, expected int8/);
});

test('convert: bytes that are not TFLite are refused with the file named', () => {
  const junk = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
  assert.match(refusal(() => convertTflite(junk, 'junk.tflite')), /^junk\.tflite: /);
  assert.match(refusal(() => convertTflite(new Uint8Array(3), 'tiny.tflite')), /^tiny\.tflite: /);
});
