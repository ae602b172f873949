// Reads what the host needs from .ewm bytes — the I/O tensors, their shapes and quantization, the
// op list and the metadata — for the loader's descriptions and for `inspect`. The executor in wasm
// does the full validation; this reader only checks what it itself touches.

import * as F from './format.js';
import { EwmError } from './errors.js';

export type DTypeName = 'int8' | 'uint8' | 'int16' | 'int32' | 'float32';
export const DTYPE_NAMES: Record<number, DTypeName> = {
  [F.DTYPE_INT8]: 'int8', [F.DTYPE_UINT8]: 'uint8', [F.DTYPE_INT16]: 'int16',
  [F.DTYPE_INT32]: 'int32', [F.DTYPE_FLOAT32]: 'float32',
};
export const DTYPE_SIZES: Record<DTypeName, number> = { int8: 1, uint8: 1, int16: 2, int32: 4, float32: 4 };

export interface TensorInfo {
  index: number;
  name: string;
  dtype: DTypeName;
  shape: number[];
  bytes: number;
  constant: boolean;
  offset: number; // arena offset (activation) or file offset (constant)
  scale: number;
  zeroPoint: number;
  channels: number; // per-channel quantization entries, 0 when per-tensor
  sparse: boolean; // pruned weights in the sparse encoding (docs/FORMAT.md)
}

export interface OpInfo {
  code: number;
  inputs: number[];
  outputs: number[];
  params: number[];
}

export interface EwmInfo {
  version: number;
  fileSize: number;
  arenaSize: number;
  tensors: TensorInfo[];
  ops: OpInfo[];
  inputs: number[];
  outputs: number[];
  meta: { source?: string; inputs?: { name: string }[]; outputs?: { name: string; labels?: string[] }[] };
}

export function readEwm(bytes: Uint8Array, file = 'model'): EwmInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => { throw new EwmError(`${file}: ${what}`); };
  if (bytes.length < F.HEADER_SIZE) fail(`file is ${bytes.length} bytes, shorter than the ${F.HEADER_SIZE}-byte header`);
  const u32 = (off: number) => {
    if (off < 0 || off + 4 > bytes.length) fail(`offset ${off} is outside the file (${bytes.length} bytes)`);
    return view.getUint32(off, true);
  };
  const magic = u32(F.H_MAGIC);
  if (magic !== F.EWM_MAGIC) fail(`magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x${F.EWM_MAGIC.toString(16)} ("EWM0"): not an .ewm file`);
  const version = view.getUint16(F.H_VERSION, true);
  if (version !== F.EWM_VERSION) fail(`version ${version}, this runtime reads ${F.EWM_VERSION}`);
  const declared = u32(F.H_FILE_SIZE);
  if (declared !== bytes.length) {
    fail(`file_size ${declared}, but the file has ${bytes.length} bytes (${declared > bytes.length ? 'truncated' : 'trailing bytes'})`);
  }

  const tensorTable = u32(F.H_TENSOR_TABLE);
  const tensorCount = u32(F.H_TENSOR_COUNT);
  if (tensorTable + tensorCount * F.TENSOR_RECORD_SIZE > bytes.length) fail(`tensor_table ${tensorTable} with ${tensorCount} tensors runs past the end of the file`);
  const metaOffset = u32(F.H_META_OFFSET);
  const metaSize = u32(F.H_META_SIZE);
  let meta: EwmInfo['meta'] = {};
  if (metaOffset + metaSize > bytes.length) fail(`meta_offset ${metaOffset} + meta_size ${metaSize} runs past the end of the file`);
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(metaOffset, metaOffset + metaSize)));
  } catch {
    fail(`metadata at ${metaOffset} is not valid JSON`);
  }
  const names: string[] = Array.isArray((meta as { tensors?: unknown }).tensors) ? (meta as { tensors: string[] }).tensors : [];

  const tensors: TensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const rec = tensorTable + i * F.TENSOR_RECORD_SIZE;
    const dtype = DTYPE_NAMES[view.getUint8(rec + F.T_DTYPE)] ?? fail(`tensor ${i} dtype ${view.getUint8(rec + F.T_DTYPE)} is unknown`);
    const rank = view.getUint8(rec + F.T_RANK);
    if (rank > F.MAX_RANK) fail(`tensor ${i} rank ${rank}, at most ${F.MAX_RANK}`);
    const shape = Array.from({ length: rank }, (_, d) => view.getInt32(rec + F.T_DIMS + 4 * d, true));
    tensors.push({
      index: i, name: names[i] ?? `t${i}`, dtype, shape,
      bytes: u32(rec + F.T_BYTES),
      constant: view.getUint8(rec + F.T_KIND) === F.KIND_CONSTANT,
      offset: u32(rec + F.T_OFFSET),
      scale: view.getFloat32(rec + F.T_SCALE, true),
      zeroPoint: view.getInt32(rec + F.T_ZERO_POINT, true),
      channels: u32(rec + F.T_QUANT_COUNT),
      sparse: view.getUint8(rec + F.T_ENCODING) === F.ENCODING_SPARSE,
    });
  }

  const opTable = u32(F.H_OP_TABLE);
  const opCount = u32(F.H_OP_COUNT);
  if (opTable + opCount * F.OP_RECORD_SIZE > bytes.length) fail(`op_table ${opTable} with ${opCount} ops runs past the end of the file`);
  const ops: OpInfo[] = [];
  for (let i = 0; i < opCount; i++) {
    const rec = opTable + i * F.OP_RECORD_SIZE;
    const nIn = view.getUint8(rec + F.O_INPUTS);
    const nOut = view.getUint8(rec + F.O_OUTPUTS);
    const nParams = u32(rec + F.O_PARAMS);
    const args = u32(rec + F.O_ARGS);
    if (args + 4 * (nIn + nOut + nParams) > bytes.length) fail(`op ${i} args ${args} run past the end of the file`);
    const words = Array.from({ length: nIn + nOut + nParams }, (_, k) => view.getInt32(args + 4 * k, true));
    ops.push({ code: view.getUint16(rec + F.O_CODE, true), inputs: words.slice(0, nIn), outputs: words.slice(nIn, nIn + nOut), params: words.slice(nIn + nOut) });
  }

  const ioList = u32(F.H_IO_LIST);
  const nIn = u32(F.H_INPUT_COUNT);
  const nOut = u32(F.H_OUTPUT_COUNT);
  if (ioList + 4 * (nIn + nOut) > bytes.length) fail(`io_list ${ioList} runs past the end of the file`);
  const io = Array.from({ length: nIn + nOut }, (_, k) => view.getInt32(ioList + 4 * k, true));
  for (const [k, t] of io.entries()) if (!tensors[t]) fail(`${k < nIn ? 'input' : 'output'} ${k < nIn ? k : k - nIn} names tensor ${t}, the model has ${tensorCount}`);
  return {
    version, fileSize: bytes.length, arenaSize: u32(F.H_ARENA_SIZE), tensors, ops,
    inputs: io.slice(0, nIn), outputs: io.slice(nIn), meta,
  };
}
