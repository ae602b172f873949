// Builtin operator options: the BuiltinOptions union tables of TFLite's schema that edgewasm lowers
// (or may lower soon), read into plain objects for Op.options.
//
// Each table is described by its union index (position in `union BuiltinOptions`, 1-based; 0 = NONE)
// and its fields in schema order, so field i sits in vtable slot 4 + 2*i. Names are the schema's
// field names in camelCase; Padding and ActivationFunctionType become their enum names, other enums
// (TensorType, weights format, mirror-pad mode) stay numbers — the form of the golden ops JSON
// (`op_details[].options`). Absent fields take the schema default; a vector field that is absent is
// left out. An op whose options table is missing gets every default of the table its type expects,
// as if each field were absent; a table of the wrong type for the op is refused.

import type { Op } from '../graph.js';
import type { Table, TableReader } from './reader.js';

type Kind = 'int' | 'bool' | 'float' | 'byte' | 'padding' | 'activation' | 'ints';
type Value = Op['options'][string];
// [camelCase name (null: a deprecated field still holding its slot), kind, default]
type Field = [string | null, Kind, Value?];

interface OptionsTable {
  name: string;
  union: number;
  ops: string[];
  fields: Field[];
}

const PADDING = ['SAME', 'VALID'];
const ACTIVATION = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

const act: Field = ['fusedActivationFunction', 'activation'];
const pad: Field = ['padding', 'padding'];

const TABLES: OptionsTable[] = [
  { name: 'Conv2DOptions', union: 1, ops: ['CONV_2D'], fields: [pad, ['strideW', 'int'], ['strideH', 'int'], act,
    ['dilationWFactor', 'int', 1], ['dilationHFactor', 'int', 1], ['quantizedBiasType', 'byte']] },
  { name: 'DepthwiseConv2DOptions', union: 2, ops: ['DEPTHWISE_CONV_2D'], fields: [pad, ['strideW', 'int'], ['strideH', 'int'],
    ['depthMultiplier', 'int'], act, ['dilationWFactor', 'int', 1], ['dilationHFactor', 'int', 1]] },
  { name: 'Pool2DOptions', union: 5, ops: ['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'L2_POOL_2D'], fields: [pad, ['strideW', 'int'],
    ['strideH', 'int'], ['filterWidth', 'int'], ['filterHeight', 'int'], act] },
  { name: 'FullyConnectedOptions', union: 8, ops: ['FULLY_CONNECTED'], fields: [act, ['weightsFormat', 'byte'],
    ['keepNumDims', 'bool'], ['asymmetricQuantizeInputs', 'bool'], ['quantizedBiasType', 'byte']] },
  { name: 'SoftmaxOptions', union: 9, ops: ['SOFTMAX'], fields: [['beta', 'float']] },
  { name: 'ConcatenationOptions', union: 10, ops: ['CONCATENATION'], fields: [['axis', 'int'], act] },
  { name: 'AddOptions', union: 11, ops: ['ADD'], fields: [act, ['potScaleInt16', 'bool', true]] },
  { name: 'L2NormOptions', union: 12, ops: ['L2_NORMALIZATION'], fields: [act] },
  { name: 'ResizeBilinearOptions', union: 15, ops: ['RESIZE_BILINEAR'], fields: [[null, 'int'], [null, 'int'],
    ['alignCorners', 'bool'], ['halfPixelCenters', 'bool']] },
  { name: 'ReshapeOptions', union: 17, ops: ['RESHAPE'], fields: [['newShape', 'ints']] },
  { name: 'SpaceToDepthOptions', union: 19, ops: ['SPACE_TO_DEPTH'], fields: [['blockSize', 'int']] },
  { name: 'MulOptions', union: 21, ops: ['MUL'], fields: [act] },
  { name: 'PadOptions', union: 22, ops: ['PAD'], fields: [] },
  { name: 'GatherOptions', union: 23, ops: ['GATHER'], fields: [['axis', 'int'], ['batchDims', 'int']] },
  { name: 'TransposeOptions', union: 26, ops: ['TRANSPOSE'], fields: [] },
  { name: 'ReducerOptions', union: 27, ops: ['MEAN', 'SUM', 'REDUCE_PROD', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_ANY', 'REDUCE_ALL'],
    fields: [['keepDims', 'bool']] },
  { name: 'SubOptions', union: 28, ops: ['SUB'], fields: [act, ['potScaleInt16', 'bool', true]] },
  { name: 'DivOptions', union: 29, ops: ['DIV'], fields: [act] },
  { name: 'SqueezeOptions', union: 30, ops: ['SQUEEZE'], fields: [['squeezeDims', 'ints']] },
  { name: 'StridedSliceOptions', union: 32, ops: ['STRIDED_SLICE'], fields: [['beginMask', 'int'], ['endMask', 'int'],
    ['ellipsisMask', 'int'], ['newAxisMask', 'int'], ['shrinkAxisMask', 'int'], ['offset', 'bool']] },
  { name: 'SplitOptions', union: 35, ops: ['SPLIT'], fields: [['numSplits', 'int']] },
  { name: 'DequantizeOptions', union: 38, ops: ['DEQUANTIZE'], fields: [] },
  { name: 'ArgMaxOptions', union: 40, ops: ['ARG_MAX'], fields: [['outputType', 'byte']] },
  { name: 'PadV2Options', union: 43, ops: ['PADV2'], fields: [] },
  { name: 'TransposeConvOptions', union: 49, ops: ['TRANSPOSE_CONV'], fields: [pad, ['strideW', 'int'], ['strideH', 'int'], act,
    ['quantizedBiasType', 'byte']] },
  { name: 'ArgMinOptions', union: 57, ops: ['ARG_MIN'], fields: [['outputType', 'byte']] },
  { name: 'PackOptions', union: 59, ops: ['PACK'], fields: [['valuesCount', 'int'], ['axis', 'int']] },
  { name: 'UnpackOptions', union: 64, ops: ['UNPACK'], fields: [['num', 'int'], ['axis', 'int']] },
  { name: 'ResizeNearestNeighborOptions', union: 74, ops: ['RESIZE_NEAREST_NEIGHBOR'], fields: [['alignCorners', 'bool'],
    ['halfPixelCenters', 'bool']] },
  { name: 'LeakyReluOptions', union: 75, ops: ['LEAKY_RELU'], fields: [['alpha', 'float']] },
  { name: 'MirrorPadOptions', union: 77, ops: ['MIRROR_PAD'], fields: [['mode', 'byte']] },
  { name: 'SplitVOptions', union: 79, ops: ['SPLIT_V'], fields: [['numSplits', 'int']] },
  { name: 'QuantizeOptions', union: 89, ops: ['QUANTIZE'], fields: [] },
  { name: 'HardSwishOptions', union: 91, ops: ['HARD_SWISH'], fields: [] },
  { name: 'DepthToSpaceOptions', union: 94, ops: ['DEPTH_TO_SPACE'], fields: [['blockSize', 'int']] },
  { name: 'BatchMatMulOptions', union: 101, ops: ['BATCH_MATMUL'], fields: [['adjX', 'bool'], ['adjY', 'bool'],
    ['asymmetricQuantizeInputs', 'bool']] },
  { name: 'GeluOptions', union: 116, ops: ['GELU'], fields: [['approximate', 'bool']] },
];

const BY_UNION = new Map(TABLES.map((t) => [t.union, t]));
const BY_OP = new Map(TABLES.flatMap((t) => t.ops.map((op) => [op, t] as const)));

const DEFAULTS: Record<Kind, Value> = {
  int: 0, bool: false, float: 0, byte: 0, padding: 'SAME', activation: 'NONE', ints: [],
};

function readField(r: TableReader, t: Table | null, i: number, [name, kind, def]: Field, what: string): Value | undefined {
  const label = `${what} ${name}`;
  const fallback = def ?? DEFAULTS[kind];
  const enumOf = (names: string[], fieldDefault: number): string => {
    const v = t ? r.int8(t, i, fieldDefault, label) : fieldDefault;
    return names[v] ?? r.fail(`${label}: value ${v} is not one of ${names.join(', ')}`);
  };
  switch (kind) {
    case 'padding': return enumOf(PADDING, PADDING.indexOf(fallback as string));
    case 'activation': return enumOf(ACTIVATION, ACTIVATION.indexOf(fallback as string));
    case 'ints': return t ? (r.int32s(t, i, label) ?? undefined) : undefined;
  }
  if (!t) return fallback;
  switch (kind) {
    case 'int': return r.int32(t, i, fallback as number, label);
    case 'bool': return r.bool(t, i, fallback as boolean, label);
    case 'float': return r.float32(t, i, fallback as number, label);
    case 'byte': return r.int8(t, i, fallback as number, label);
  }
}

/**
 * Options of operator `opType` whose builtin_options union has type `union` and table `table`
 * (null when absent). `what` prefixes messages ("operator 3 CONV_2D").
 */
export function readOptions(r: TableReader, opType: string, union: number, table: Table | null, what: string): Op['options'] {
  const expected = BY_OP.get(opType);
  const found = union === 0 || !table ? null : BY_UNION.get(union);
  if (expected && union !== 0 && union !== expected.union) {
    r.fail(`${what}: builtin_options_type ${union}${found ? ` (${found.name})` : ''}, expected ${expected.union} (${expected.name})`);
  }
  const spec = expected ?? found;
  if (!spec) return {};
  const source = union === spec.union ? table : null;
  const options: Op['options'] = {};
  spec.fields.forEach((field, i) => {
    if (field[0] === null) return;
    const v = readField(r, source, i, field, `${what} ${spec.name}`);
    if (v !== undefined) options[field[0]] = v;
  });
  return options;
}
