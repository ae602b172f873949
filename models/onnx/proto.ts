// The slice of ONNX's protobuf the importer reads, as plain objects (onnx-proto's toObject with
// defaults: every array present, int64 as numbers), and the readers of attributes and initializers.

import { ConvertError } from '../graph.js';

/** float32 values as little-endian bytes, a constant tensor's data. */
export const f32Bytes = (v: ArrayLike<number>) => new Uint8Array(Float32Array.from(v).buffer);

export const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7;

export interface Attr { name: string; i: number; f: number; s: Uint8Array; ints: number[]; t?: Initializer | null }
export interface Node { name: string; opType: string; input: string[]; output: string[]; attribute: Attr[] }
export interface Initializer { name: string; dims: number[]; dataType: number; rawData: Uint8Array; floatData: number[]; int32Data: number[]; int64Data: number[] }
export interface ValueInfo { name: string; type?: { tensorType?: { elemType: number; shape?: { dim: { dimValue?: number }[] } } } }
export interface GraphProto { node: Node[]; initializer: Initializer[]; input: ValueInfo[]; output: ValueInfo[] }
export interface ModelProto { opsetImport: { domain: string; version: number }[]; graph?: GraphProto }

export function attr(node: Node, name: string): Attr | undefined {
  return node.attribute.find((a) => a.name === name);
}
export const ints = (node: Node, name: string, fallback: number[]) => {
  const a = attr(node, name);
  return a && a.ints.length > 0 ? a.ints.map(Number) : fallback;
};
export const int = (node: Node, name: string, fallback: number) => Number(attr(node, name)?.i ?? fallback);
export const float = (node: Node, name: string, fallback: number) => attr(node, name)?.f ?? fallback;

// An initializer's values: raw little-endian data, or the typed repeated fields.
export function tensorValues(t: Initializer): Float64Array {
  const n = t.dims.reduce((a, d) => a * Number(d), 1);
  const raw = t.rawData?.length ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : undefined;
  const read = (bytes: number, get: (at: number) => number, field: ArrayLike<number>) => {
    if (raw && raw.byteLength !== n * bytes) throw new ConvertError(`initializer '${t.name}': ${raw.byteLength} bytes of data for ${n} values`);
    return Float64Array.from({ length: n }, (_, i) => (raw ? get(i * bytes) : Number(field[i])));
  };
  switch (t.dataType) {
    case FLOAT: return read(4, (at) => raw!.getFloat32(at, true), t.floatData);
    case INT64: return read(8, (at) => Number(raw!.getBigInt64(at, true)), t.int64Data);
    case UINT8: return read(1, (at) => raw!.getUint8(at), t.int32Data);
    case INT8: return read(1, (at) => raw!.getInt8(at), t.int32Data);
    case INT32: return read(4, (at) => raw!.getInt32(at, true), t.int32Data);
    default: throw new ConvertError(`initializer '${t.name}' has data type ${t.dataType}; edgewasm imports float32, int8, uint8, int32 and int64`);
  }
}
