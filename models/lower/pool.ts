// Lowerings of AVERAGE_POOL_2D and MAX_POOL_2D (int8), computed as TensorFlow Lite Micro's
// PoolingPrepare does: padding from ComputePaddingHeightWidth (no dilation), the fused activation
// clamp from the output quantization, and its requirement that input and output share one
// quantization (scales within 1e-6 after a float32 subtraction, equal zero points) — the kernels
// work on raw int8 values and never rescale. Param layout: assembly/ops/pool.ts and docs/FORMAT.md.

import { OP_AVERAGE_POOL_2D, OP_MAX_POOL_2D } from '../../host/format.js';
import { f32 } from '../quantize-multiplier.js';
import { refuse, tensorOf, expectDtype, activationRange, type Lowering, type LoweredOp } from './common.js';
import { intOption, windowAxis, expectOutputSize, expectRank, activationQuant } from './conv.js';

function lowerPool(code: number): Lowering {
  return (op, ctx): LoweredOp => {
    if (op.inputs.length !== 1 || op.outputs.length !== 1) {
      refuse(op, `expected 1 input and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
    }
    const x = tensorOf(op, ctx, 'input', 0);
    const y = tensorOf(op, ctx, 'output', 0);
    for (const t of [x, y]) {
      expectDtype(op, t, 'int8');
      expectRank(op, t, 4);
    }
    if (y.shape[0] !== x.shape[0] || y.shape[3] !== x.shape[3]) {
      refuse(op, `output '${y.name}' [${y.shape}] and input '${x.name}' [${x.shape}] differ in batch or channels`);
    }
    const strideH = intOption(op, 'strideH', 0, 1);
    const strideW = intOption(op, 'strideW', 0, 1);
    const filterH = intOption(op, 'filterHeight', 0, 1);
    const filterW = intOption(op, 'filterWidth', 0, 1);
    const rows = windowAxis(op, op.options.padding, x.shape[1]!, filterH, strideH, 1);
    const cols = windowAxis(op, op.options.padding, x.shape[2]!, filterW, strideW, 1);
    expectOutputSize(op, y, 1, rows);
    expectOutputSize(op, y, 2, cols);

    const qx = activationQuant(op, x);
    const qy = activationQuant(op, y);
    if (Math.abs(f32(qx.scale - qy.scale)) > 1e-6 || qx.zeroPoint !== qy.zeroPoint) {
      refuse(op, `input and output quantization differ (scale ${qx.scale} vs ${qy.scale}, zero point ${qx.zeroPoint} vs ${qy.zeroPoint})`);
    }
    const [actMin, actMax] = activationRange(op, op.options.fusedActivationFunction, qy.scale, qy.zeroPoint);
    if (actMin > actMax) refuse(op, `empty output range [${actMin}, ${actMax}]`);
    return {
      code, inputs: [op.inputs[0]!], outputs: [op.outputs[0]!],
      params: [strideH, strideW, filterH, filterW, rows.pad, cols.pad, actMin, actMax],
    };
  };
}

export const lowerAveragePool2d: Lowering = lowerPool(OP_AVERAGE_POOL_2D);
export const lowerMaxPool2d: Lowering = lowerPool(OP_MAX_POOL_2D);
