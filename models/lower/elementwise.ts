// Lowerings of ADD, SUB and MUL (int8, broadcasting up to 4-D), computed as TensorFlow Lite Micro's
// Prepare computes them — with its exact mix of float32 and double:
// - ADD (add_common.cc): twice_max = 2 * double(max(s1, s2)); m1 = s1 / twice_max,
//   m2 = s2 / twice_max, m_out = twice_max / (2^20 * double(s_out)), all in double.
// - SUB (sub_common.cc): the same formulas, but twice_max and the three quotients in float32,
//   each widened to double only for QuantizeMultiplierSmallerThanOneExp.
// - MUL (mul_common.cc): double(s1) * double(s2) / double(s_out), QuantizeMultiplier.
// ADD and SUB multipliers must lie in (0, 1) with shift <= 0 (TFLM aborts otherwise; we refuse).
// Broadcasting: the output shape must be the inputs' broadcast shape; each operand gets element
// strides over the output's 4-D view, 0 along an axis where it has extent 1 (broadcast_loop.h).
// Param layout: assembly/ops/elementwise.ts and docs/FORMAT.md.

import { OP_ADD, OP_SUB, OP_MUL } from '../../host/format.js';
import type { Op, Tensor } from '../graph.js';
import { f32, quantizeMultiplier } from '../quantize-multiplier.js';
import { refuse, tensorOf, expectDtype, activationRange, type Lowering, type LoweredOp, type LowerContext } from './common.js';
import { activationQuant, multiplierOf } from './conv.js';

const LEFT_SHIFT = 20; // TFLM's int8 ADD/SUB input scaling, 2^20 (assembly/ref/elementwise_i8.ts)

/** A shape padded in front with 1s to rank 4; rank above 4 is refused. */
export function view4(op: Op, t: Tensor): number[] {
  if (t.shape.length > 4) refuse(op, `tensor '${t.name}' has rank ${t.shape.length}; edgewasm supports up to 4`);
  if (t.shape.some((d) => !Number.isInteger(d) || d < 1)) refuse(op, `tensor '${t.name}' has shape [${t.shape}]`);
  return [...Array(4 - t.shape.length).fill(1), ...t.shape];
}

/** Element strides of operand x over the output's 4-D view; 0 along a broadcast axis. */
function broadcastStrides(op: Op, x: Tensor, y: Tensor): number[] {
  const xs = view4(op, x);
  const ys = view4(op, y);
  const strides = [0, 0, 0, 0];
  let step = 1;
  for (let k = 3; k >= 0; k--) {
    if (xs[k] === ys[k]) strides[k] = ys[k] === 1 ? 0 : step;
    else if (xs[k] !== 1) refuse(op, `input '${x.name}' [${x.shape}] does not broadcast to output '${y.name}' [${y.shape}]`);
    step *= xs[k]!;
  }
  return strides;
}

/** The output shape must be the broadcast of the two input shapes (TFLM trusts it; we check it). */
function expectBroadcastShape(op: Op, a: Tensor, b: Tensor, y: Tensor): void {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s];
  const as = pad(a.shape);
  const bs = pad(b.shape);
  const want = as.map((d, k) => (d === 1 ? bs[k]! : d));
  if (as.some((d, k) => d !== bs[k] && d !== 1 && bs[k] !== 1) || want.join() !== y.shape.join()) {
    refuse(op, `output '${y.name}' [${y.shape}] is not the broadcast of [${a.shape}] and [${b.shape}]`);
  }
}

interface BinaryOperands {
  a: Tensor;
  b: Tensor;
  y: Tensor;
  strides: number[]; // a's four strides, then b's
}

function binaryOperands(op: Op, ctx: LowerContext): BinaryOperands {
  if (op.inputs.length !== 2 || op.outputs.length !== 1) {
    refuse(op, `expected 2 inputs and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const a = tensorOf(op, ctx, 'input', 0);
  const b = tensorOf(op, ctx, 'input', 1);
  const y = tensorOf(op, ctx, 'output', 0);
  for (const t of [a, b, y]) expectDtype(op, t, 'int8');
  expectBroadcastShape(op, a, b, y);
  return { a, b, y, strides: [...broadcastStrides(op, a, y), ...broadcastStrides(op, b, y)] };
}

/** QuantizeMultiplierSmallerThanOneExp: real in (0, 1) and a shift <= 0, else TFLM aborts. */
function smallerThanOne(op: Op, real: number, what: string): [number, number] {
  if (!(real > 0 && real < 1)) refuse(op, `${what} multiplier ${real} is not in (0, 1)`);
  const [m, shift] = quantizeMultiplier(real);
  if (shift > 0) refuse(op, `${what} multiplier ${real} rounds to 1`);
  return [m, shift];
}

function lowerAddSub(code: number): Lowering {
  return (op, ctx): LoweredOp => {
    const { a, b, y, strides } = binaryOperands(op, ctx);
    const qa = activationQuant(op, a);
    const qb = activationQuant(op, b);
    const qy = activationQuant(op, y);
    let reals: number[];
    if (code === OP_ADD) {
      const twiceMax = 2 * Math.max(qa.scale, qb.scale);
      reals = [qa.scale / twiceMax, qb.scale / twiceMax, twiceMax / (2 ** LEFT_SHIFT * qy.scale)];
    } else {
      const twiceMax = f32(2 * Math.max(qa.scale, qb.scale));
      reals = [f32(qa.scale / twiceMax), f32(qb.scale / twiceMax), f32(twiceMax / f32(2 ** LEFT_SHIFT * qy.scale))];
    }
    const [m1, s1] = smallerThanOne(op, reals[0]!, 'input 1');
    const [m2, s2] = smallerThanOne(op, reals[1]!, 'input 2');
    const [mo, so] = smallerThanOne(op, reals[2]!, 'output');
    const [actMin, actMax] = activationRange(op, op.options.fusedActivationFunction, qy.scale, qy.zeroPoint);
    if (actMin > actMax) refuse(op, `empty output range [${actMin}, ${actMax}]`);
    return {
      code, inputs: [op.inputs[0]!, op.inputs[1]!], outputs: [op.outputs[0]!],
      params: [...strides, -qa.zeroPoint, m1, s1, -qb.zeroPoint, m2, s2, mo, so, qy.zeroPoint, actMin, actMax],
    };
  };
}

export const lowerAdd: Lowering = lowerAddSub(OP_ADD);
export const lowerSub: Lowering = lowerAddSub(OP_SUB);

export const lowerMul: Lowering = (op, ctx): LoweredOp => {
  const { a, b, y, strides } = binaryOperands(op, ctx);
  const qa = activationQuant(op, a);
  const qb = activationQuant(op, b);
  const qy = activationQuant(op, y);
  const [m, shift] = multiplierOf(op, (qa.scale * qb.scale) / qy.scale);
  const [actMin, actMax] = activationRange(op, op.options.fusedActivationFunction, qy.scale, qy.zeroPoint);
  if (actMin > actMax) refuse(op, `empty output range [${actMin}, ${actMax}]`);
  return {
    code: OP_MUL, inputs: [op.inputs[0]!, op.inputs[1]!], outputs: [op.outputs[0]!],
    params: [...strides, -qa.zeroPoint, -qb.zeroPoint, m, shift, qy.zeroPoint, actMin, actMax],
  };
};
