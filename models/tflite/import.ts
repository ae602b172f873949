// TFLite importer: a .tflite FlatBuffer (schema version 3, identifier "TFL3") → Graph, from subgraph 0.
//
// What is read (schema field index in brackets, vtable slot = 4 + 2*index):
//   Model: version[0], operator_codes[1], subgraphs[2], buffers[4]
//   OperatorCode: deprecated_builtin_code[0] (int8), custom_code[1], builtin_code[3] (int32); the
//     operator is max(deprecated_builtin_code, builtin_code): old files fill only the first, new
//     files put 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) there for codes ≥ 127.
//   SubGraph: tensors[0], inputs[1], outputs[2], operators[3]
//   Tensor: shape[0], type[1], buffer[2], name[3], quantization[4], sparsity[6], external_buffer[10]
//   QuantizationParameters: scale[2] (f32), zero_point[3] (i64), details[4,5] (union), quantized_dimension[6]
//   Operator: opcode_index[0], inputs[1], outputs[2], builtin_options[3,4] (union: type byte, table)
//   Buffer: data[0], offset[1], size[2] (offset > 1: data lies at that file offset, for files > 2 GB)
// Everything else (signatures, metadata, other subgraphs) is ignored. Whatever the converter could
// not use safely — sparse or externally stored tensors, exotic quantization, sizes that disagree with
// shapes — is refused here with a message naming the file, the field and the value.

import { ConvertError, DTYPE_BYTES, elementCount, type DType, type Graph, type Op, type Quantization, type Tensor } from '../graph.js';
import { builtinName } from './builtin-ops.js';
import { readOptions } from './options.js';
import { TableReader, type Table } from './reader.js';

const IDENTIFIER = 'TFL3';
const SCHEMA_VERSION = 3;
const CUSTOM = 32;

// TensorType codes → DType; the rest (FLOAT16, STRING, INT4, ...) are 'other'.
const TENSOR_TYPES: Record<number, DType> = {
  0: 'float32', 2: 'int32', 3: 'uint8', 4: 'int64', 6: 'bool', 7: 'int16', 9: 'int8',
};

/** Reads a .tflite file; every malformation becomes a ConvertError whose message starts with `source`. */
export function readTflite(bytes: Uint8Array, source: string): Graph {
  try {
    return readModel(new TableReader(bytes, source));
  } catch (e) {
    if (e instanceof ConvertError) throw e;
    throw new ConvertError(`${source}: unreadable TFLite flatbuffer (${e instanceof Error ? e.message : String(e)})`);
  }
}

function readModel(r: TableReader): Graph {
  if (r.size < 8) r.fail(`file size ${r.size} bytes, too short for a TFLite flatbuffer (identifier at bytes 4..8)`);
  const id = r.identifier();
  if (id !== IDENTIFIER) r.fail(`file identifier ${JSON.stringify(id)}, expected "${IDENTIFIER}"`);
  const model = r.root('Model');
  const version = r.uint32(model, 0, 0, 'Model.version');
  if (version !== SCHEMA_VERSION) r.fail(`Model.version ${version}, expected ${SCHEMA_VERSION}`);

  const opTypes = r.tables(model, 1, (i) => `operator code ${i}`, 'Model.operator_codes').map((c, i) => operatorType(r, c, i));
  const subgraphs = r.tables(model, 2, (i) => `subgraph ${i}`, 'Model.subgraphs');
  const sub = subgraphs[0] ?? r.fail('Model.subgraphs is empty, expected at least one subgraph');
  const buffers = new Buffers(r, r.tables(model, 4, (i) => `buffer ${i}`, 'Model.buffers'));

  const tensors = r.tables(sub, 0, (i) => `tensor ${i}`, 'SubGraph.tensors').map((t, i) => readTensor(r, t, i, buffers));
  const index = (t: number, what: string, optional = false): number => {
    if (t >= tensors.length || t < (optional ? -1 : 0)) r.fail(`${what} tensor ${t} out of range (${tensors.length} tensors)`);
    return t;
  };
  const ops = r.tables(sub, 3, (i) => `operator ${i}`, 'SubGraph.operators').map((o, i): Op => {
    const code = r.uint32(o, 0, 0, `operator ${i} opcode_index`);
    const type = opTypes[code] ?? r.fail(`operator ${i} opcode_index ${code} out of range (${opTypes.length} operator codes)`);
    const what = `operator ${i} (${type})`;
    const unionType = r.uint8(o, 3, 0, `${what} builtin_options_type`);
    const table = unionType === 0 ? null : r.child(o, 4, `${what} builtin_options`);
    return {
      type,
      index: i,
      inputs: (r.int32s(o, 1, `${what} inputs`) ?? []).map((t, k) => index(t, `${what} input ${k}`, true)),
      outputs: (r.int32s(o, 2, `${what} outputs`) ?? []).map((t, k) => index(t, `${what} output ${k}`)),
      options: readOptions(r, type, unionType, table, what),
    };
  });
  return {
    tensors,
    ops,
    inputs: (r.int32s(sub, 1, 'SubGraph.inputs') ?? []).map((t, k) => index(t, `subgraph 0 input ${k}`)),
    outputs: (r.int32s(sub, 2, 'SubGraph.outputs') ?? []).map((t, k) => index(t, `subgraph 0 output ${k}`)),
    source: r.source,
  };
}

function operatorType(r: TableReader, c: Table, i: number): string {
  const what = `operator code ${i}`;
  const code = Math.max(r.int8(c, 0, 0, `${what} deprecated_builtin_code`), r.int32(c, 3, 0, `${what} builtin_code`));
  if (code < 0) r.fail(`${what} builtin_code ${code} is negative`);
  if (code === CUSTOM) return `CUSTOM:${r.string(c, 1, `${what} custom_code`) ?? ''}`;
  return builtinName(code);
}

/** The model's buffers, each copied out once (copies are 16-byte aligned; views into the file may not be). */
class Buffers {
  private readonly cache = new Map<number, Uint8Array | undefined>();

  constructor(
    private readonly r: TableReader,
    private readonly tables: Table[],
  ) {}

  get count(): number {
    return this.tables.length;
  }

  /** Bytes of buffer b, or undefined when it is empty (an activation's buffer). */
  data(b: number): Uint8Array | undefined {
    if (!this.cache.has(b)) this.cache.set(b, this.read(b));
    return this.cache.get(b);
  }

  private read(b: number): Uint8Array | undefined {
    const t = this.tables[b];
    if (!t) return undefined;
    const what = `buffer ${b}`;
    const offset = this.r.int64(t, 1, 0, `${what} offset`, true);
    const bytes = offset > 1
      ? this.r.slice(offset, this.r.int64(t, 2, 0, `${what} size`, true), `${what} (offset ${offset})`)
      : this.r.bytesOf(t, 0, `${what} data`);
    return bytes && bytes.length > 0 ? bytes.slice() : undefined;
  }
}

function readTensor(r: TableReader, t: Table, i: number, buffers: Buffers): Tensor {
  const name = r.string(t, 3, `tensor ${i} name`) ?? `tensor_${i}`;
  const what = `tensor ${i} (${name})`;
  const shape = r.int32s(t, 0, `${what} shape`) ?? [];
  if (shape.some((d) => d < 0)) r.fail(`${what} shape [${shape}] has a negative dimension`);
  const type = r.int8(t, 1, 0, `${what} type`);
  const dtype = TENSOR_TYPES[type] ?? 'other';
  if (r.child(t, 6, `${what} sparsity`)) r.fail(`${what} is sparse (SparsityParameters); edgewasm reads dense tensors only`);
  const external = r.uint32(t, 10, 0, `${what} external_buffer`);
  if (external !== 0) r.fail(`${what} external_buffer ${external}: data stored outside the file is not supported`);

  const b = r.uint32(t, 2, 0, `${what} buffer`);
  if (b >= buffers.count && b !== 0) r.fail(`tensor ${i} buffer ${b} out of range (${buffers.count} buffers)`);
  const data = buffers.data(b);
  if (data && dtype !== 'other' && data.length !== elementCount(shape) * DTYPE_BYTES[dtype]) {
    r.fail(`${what} buffer ${b} holds ${data.length} bytes, shape [${shape}] ${dtype} needs ${elementCount(shape) * DTYPE_BYTES[dtype]}`);
  }
  const quant = readQuantization(r, r.child(t, 4, `${what} quantization`), shape, what);

  const tensor: Tensor = { name, dtype, shape };
  if (quant) tensor.quant = quant;
  if (data) tensor.data = data;
  return tensor;
}

function readQuantization(r: TableReader, q: Table | null, shape: number[], what: string): Quantization | undefined {
  if (!q) return undefined;
  const details = r.uint8(q, 4, 0, `${what} quantization details_type`);
  if (details !== 0) r.fail(`${what} quantization details_type ${details}: only scale/zero-point quantization is supported`);
  const scale = r.float32s(q, 2, `${what} quantization scale`);
  if (!scale || scale.length === 0) return undefined;
  const zeroPoint = r.int64s(q, 3, `${what} quantization zero_point`) ?? scale.map(() => 0);
  if (zeroPoint.length !== scale.length) {
    r.fail(`${what} quantization has ${scale.length} scales but ${zeroPoint.length} zero points`);
  }
  const axis = r.int32(q, 6, 0, `${what} quantization quantized_dimension`);
  if (scale.length > 1 && shape[axis] !== scale.length) {
    r.fail(`${what} quantized_dimension ${axis}: ${scale.length} scales for shape [${shape}]`);
  }
  return { scale, zeroPoint, axis };
}
