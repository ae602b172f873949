// TFLite op name → its lowering to .ewm ops. An op not listed here is refused at convert time.

import type { Lowering } from './common.js';
import { lowerConv2d, lowerDepthwiseConv2d } from './conv.js';
import { lowerFullyConnected } from './fully-connected.js';
import { lowerAveragePool2d, lowerMaxPool2d } from './pool.js';
import { lowerAdd, lowerSub, lowerMul } from './elementwise.js';
import { lowerSoftmax } from './softmax.js';
import { lowerQuantize, lowerDequantize } from './quantize.js';
import { lowerReshape, lowerConcatenation, lowerPad, lowerSplit } from './shape.js';
import { lowerMean } from './mean.js';
import { lowerLogistic, lowerTanh, lowerHardSwish, lowerRelu, lowerRelu6, lowerLeakyRelu } from './activation.js';

export const LOWERINGS: Record<string, Lowering> = {
  CONV_2D: lowerConv2d,
  DEPTHWISE_CONV_2D: lowerDepthwiseConv2d,
  FULLY_CONNECTED: lowerFullyConnected,
  AVERAGE_POOL_2D: lowerAveragePool2d,
  MAX_POOL_2D: lowerMaxPool2d,
  ADD: lowerAdd,
  SUB: lowerSub,
  MUL: lowerMul,
  SOFTMAX: lowerSoftmax,
  QUANTIZE: lowerQuantize,
  DEQUANTIZE: lowerDequantize,
  RESHAPE: lowerReshape,
  CONCATENATION: lowerConcatenation,
  PAD: lowerPad,
  MEAN: lowerMean,
  LOGISTIC: lowerLogistic,
  TANH: lowerTanh,
  HARD_SWISH: lowerHardSwish,
  RELU: lowerRelu,
  RELU6: lowerRelu6,
  LEAKY_RELU: lowerLeakyRelu,
  SPLIT: lowerSplit,
  // Layout-only ops: a byte copy into the output's shape, as TensorFlow Lite Micro does.
  SQUEEZE: lowerReshape,
  EXPAND_DIMS: lowerReshape,
  PADV2: lowerPad,
};
