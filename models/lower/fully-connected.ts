// Lowering of FULLY_CONNECTED (int8), computed as TensorFlow Lite Micro's
// CalculateOpDataFullyConnected does:
// - per-channel weights (more than one scale): double(input_scale) * double(filter_scale[c]) /
//   double(output_scale) per output unit;
// - per-tensor weights: GetQuantizedConvolutionMultipler, which first multiplies the two scales in
//   float32 and only then divides in double, and which refuses a bias whose scale strays more than
//   2% of an output step from input_scale * filter_scale.
// Either way the kernel gets one multiplier and shift per unit (the per-tensor one repeated).
// Shapes follow TFLM: weights (units, depth); batches = output elements / units, whatever the rank
// (keepNumDims only shapes the output tensor); the input holds batches rows of depth values.
// Param layout: assembly/ops/fully_connected.ts and docs/FORMAT.md.

import { OP_FULLY_CONNECTED } from '../../host/format.js';
import { elementCount } from '../graph.js';
import { f32 } from '../quantize-multiplier.js';
import { refuse, tensorOf, expectDtype, activationRange, type Lowering } from './common.js';
import {
  activationQuant, filterScales, multiplierOf, channelQuantInputs, biasInput, expectRank,
} from './conv.js';

export const lowerFullyConnected: Lowering = (op, ctx) => {
  if (op.inputs.length < 2 || op.inputs.length > 3 || op.outputs.length !== 1) {
    refuse(op, `expected 2 or 3 inputs and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const x = tensorOf(op, ctx, 'input', 0);
  const w = tensorOf(op, ctx, 'input', 1);
  const y = tensorOf(op, ctx, 'output', 0);
  for (const t of [x, w, y]) expectDtype(op, t, 'int8');
  expectRank(op, w, 2);
  if (!w.data) refuse(op, `weights '${w.name}' are not constant`);
  const format = op.options.weightsFormat ?? 0;
  if (format !== 0 && format !== 'DEFAULT') refuse(op, `weights format ${String(format)} is not supported`);

  const [units, depth] = w.shape as [number, number];
  if (y.shape.length < 1 || y.shape.at(-1) !== units) refuse(op, `output '${y.name}' [${y.shape}] does not end in ${units} units`);
  const batches = elementCount(y.shape) / units;
  if (elementCount(x.shape) !== batches * depth) {
    refuse(op, `input '${x.name}' [${x.shape}] is not ${batches} rows of ${depth} values`);
  }

  const qx = activationQuant(op, x);
  const qy = activationQuant(op, y);
  const scales = filterScales(op, w, 0, units);
  const bias = biasInput(op, ctx, units);
  let pairs: [number, number][];
  if (scales.length > 1) {
    pairs = scales.map((s) => multiplierOf(op, (qx.scale * s) / qy.scale));
  } else {
    if (bias >= 0) {
      const biasScale = f32(ctx.graph.tensors[bias]!.quant?.scale[0] ?? 0);
      if (Math.abs(qx.scale * scales[0]! - biasScale) / qy.scale > 0.02) {
        refuse(op, `bias scale ${biasScale} is not input scale * weights scale (${qx.scale * scales[0]!})`);
      }
    }
    const pair = multiplierOf(op, f32(qx.scale * scales[0]!) / qy.scale);
    pairs = Array.from({ length: units }, () => pair);
  }
  const [actMin, actMax] = activationRange(op, op.options.fusedActivationFunction, qy.scale, qy.zeroPoint);
  if (actMin > actMax) refuse(op, `empty output range [${actMin}, ${actMax}]`);
  const [mults, shifts] = channelQuantInputs(ctx, y, pairs);
  return {
    code: OP_FULLY_CONNECTED,
    inputs: [op.inputs[0]!, op.inputs[1]!, bias, mults, shifts],
    outputs: [op.outputs[0]!],
    params: [-qx.zeroPoint, qy.zeroPoint, actMin, actMax],
  };
};
