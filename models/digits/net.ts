// The digit classifier in float64, with its gradients, in plain TypeScript:
//   input 28×28×1 → CONV 3×3 stride 2 SAME, 8 ch, ReLU → CONV 3×3 stride 2 SAME, 32 ch, ReLU
//   → flatten 7×7×32 → FULLY_CONNECTED 10 → softmax.
// Shapes and layouts are TFLite's, so quantize.ts can copy the weights straight into a graph:
// activations HWC (batch 1), conv weights OHWI, FC weights (O, I) with I in HWC order, which is
// what RESHAPE of an NHWC tensor to (1, 7·7·32) gives. SAME padding follows TFLite: the padding
// before is floor(total/2) of total = max((out−1)·stride + k − in, 0); for these even sizes it is
// 0 before and 1 after, i.e. the bottom/right taps of the last row/column fall outside.

export interface Conv {
  h: number; w: number; cin: number; // input
  oh: number; ow: number; cout: number; // output
  k: number; stride: number; pad: number; // pad = rows/columns of zeros before the input
}

function sameConv(h: number, w: number, cin: number, cout: number, k: number, stride: number): Conv {
  const oh = Math.ceil(h / stride);
  const ow = Math.ceil(w / stride);
  const pad = Math.floor(Math.max((oh - 1) * stride + k - h, 0) / 2);
  return { h, w, cin, oh, ow, cout, k, stride, pad };
}

/** A digit network's shapes: the two convs' channels pick the rest (the trainer's students are narrower). */
export interface Arch {
  conv1: Conv;
  conv2: Conv;
  fcIn: number;
  sizes: readonly number[]; // w1, b1, w2, b2, w3, b3
  paramCount: number;
}

export const FC_OUT = 10;

export function arch(channels1: number, channels2: number): Arch {
  const conv1 = sameConv(28, 28, 1, channels1, 3, 2);
  const conv2 = sameConv(conv1.oh, conv1.ow, channels1, channels2, 3, 2);
  const fcIn = conv2.oh * conv2.ow * conv2.cout;
  const sizes = [convWeights(conv1), conv1.cout, convWeights(conv2), conv2.cout, FC_OUT * fcIn, FC_OUT];
  return { conv1, conv2, fcIn, sizes, paramCount: sizes.reduce((a, b) => a + b, 0) };
}

function convWeights(c: Conv): number {
  return c.cout * c.k * c.k * c.cin;
}

/** The default digit model's network. */
export const DIGITS = arch(8, 32);
export const CONV1 = DIGITS.conv1;
export const CONV2 = DIGITS.conv2;
export const FC_IN = DIGITS.fcIn;
export const PARAM_COUNT = DIGITS.paramCount;

/** Views into one flat float64 vector (so the optimizer can treat all parameters alike). */
export interface Params {
  arch: Arch;
  flat: Float64Array;
  w1: Float64Array; b1: Float64Array;
  w2: Float64Array; b2: Float64Array;
  w3: Float64Array; b3: Float64Array;
}

export function params(a: Arch = DIGITS, flat = new Float64Array(a.paramCount)): Params {
  let at = 0;
  const [w1, b1, w2, b2, w3, b3] = a.sizes.map((n) => flat.subarray(at, (at += n)));
  return { arch: a, flat, w1: w1!, b1: b1!, w2: w2!, b2: b2!, w3: w3!, b3: b3! };
}

/**
 * Per-sample state kept for the backward pass: the input as float64 (one array type keeps the loops
 * monomorphic), each conv's input patches (im2col), each layer's output after ReLU, the logits and
 * the softmax probabilities.
 */
export interface Activations {
  x: Float64Array; cols1: Float64Array; a1: Float64Array; cols2: Float64Array; a2: Float64Array;
  logits: Float64Array; probs: Float64Array;
}

const colsOf = (c: Conv) => new Float64Array(c.oh * c.ow * c.k * c.k * c.cin);

export function activations(a: Arch = DIGITS): Activations {
  return {
    x: new Float64Array(a.conv1.h * a.conv1.w * a.conv1.cin),
    cols1: colsOf(a.conv1),
    cols2: colsOf(a.conv2),
    a1: new Float64Array(a.conv1.oh * a.conv1.ow * a.conv1.cout),
    a2: new Float64Array(a.fcIn),
    logits: new Float64Array(FC_OUT),
    probs: new Float64Array(FC_OUT),
  };
}

/** Gathers each output position's k×k×cin input patch (zeros outside the input): (oh·ow, k·k·cin). */
function im2col(c: Conv, x: Float64Array, cols: Float64Array): void {
  const patch = c.k * c.k * c.cin;
  for (let oy = 0; oy < c.oh; oy++) {
    for (let ox = 0; ox < c.ow; ox++) {
      let at = (oy * c.ow + ox) * patch;
      for (let ky = 0; ky < c.k; ky++) {
        const iy = oy * c.stride + ky - c.pad;
        for (let kx = 0; kx < c.k; kx++) {
          const ix = ox * c.stride + kx - c.pad;
          const inside = iy >= 0 && iy < c.h && ix >= 0 && ix < c.w;
          const xi = (iy * c.w + ix) * c.cin;
          for (let i = 0; i < c.cin; i++) cols[at++] = inside ? x[xi + i]! : 0;
        }
      }
    }
  }
}

/** Σ a[ai + j]·b[bi + j] for j < n, in four partial sums: one running sum would serialize on add latency. */
function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += a[ai + j]! * b[bi + j]!;
    s1 += a[ai + j + 1]! * b[bi + j + 1]!;
    s2 += a[ai + j + 2]! * b[bi + j + 2]!;
    s3 += a[ai + j + 3]! * b[bi + j + 3]!;
  }
  for (; j < n; j++) s0 += a[ai + j]! * b[bi + j]!;
  return (s0 + s1) + (s2 + s3);
}

/** y = ReLU(cols · wᵀ + b); an OHWI weight row is in the same (ky, kx, i) order as a patch. */
function convRelu(c: Conv, cols: Float64Array, w: Float64Array, b: Float64Array, y: Float64Array): void {
  const patch = c.k * c.k * c.cin;
  for (let at = 0; at < c.oh * c.ow; at++) {
    const ci = at * patch;
    for (let o = 0; o < c.cout; o++) {
      const acc = b[o]! + dot(cols, ci, w, o * patch, patch);
      y[at * c.cout + o] = acc > 0 ? acc : 0;
    }
  }
}

/** dy is the gradient w.r.t. the ReLU output y; accumulates dw, db and (if given) dx. */
function convReluBack(
  c: Conv, cols: Float64Array, w: Float64Array, y: Float64Array, dy: Float64Array,
  dw: Float64Array, db: Float64Array, dx: Float64Array | null,
): void {
  const patch = c.k * c.k * c.cin;
  const dpatch = new Float64Array(patch);
  for (let oy = 0; oy < c.oh; oy++) {
    for (let ox = 0; ox < c.ow; ox++) {
      const at = oy * c.ow + ox;
      const ci = at * patch;
      dpatch.fill(0);
      for (let o = 0; o < c.cout; o++) {
        const yi = at * c.cout + o;
        if (y[yi]! <= 0) continue;
        const g = dy[yi]!;
        db[o] = db[o]! + g;
        const wi = o * patch;
        for (let j = 0; j < patch; j++) {
          dw[wi + j] = dw[wi + j]! + g * cols[ci + j]!;
          dpatch[j] = dpatch[j]! + g * w[wi + j]!;
        }
      }
      if (!dx) continue;
      let j = 0;
      for (let ky = 0; ky < c.k; ky++) {
        const iy = oy * c.stride + ky - c.pad;
        for (let kx = 0; kx < c.k; kx++) {
          const ix = ox * c.stride + kx - c.pad;
          const inside = iy >= 0 && iy < c.h && ix >= 0 && ix < c.w;
          const xi = (iy * c.w + ix) * c.cin;
          for (let i = 0; i < c.cin; i++, j++) if (inside) dx[xi + i] = dx[xi + i]! + dpatch[j]!;
        }
      }
    }
  }
}

/** Forward pass of one image (PIXELS floats in [0, 1]); fills act and returns the predicted class. */
export function forward(p: Params, x: ArrayLike<number>, act: Activations): number {
  const { conv1, conv2, fcIn } = p.arch;
  act.x.set(x);
  im2col(conv1, act.x, act.cols1);
  convRelu(conv1, act.cols1, p.w1, p.b1, act.a1);
  im2col(conv2, act.a1, act.cols2);
  convRelu(conv2, act.cols2, p.w2, p.b2, act.a2);
  let best = 0;
  for (let o = 0; o < FC_OUT; o++) {
    const acc = p.b3[o]! + dot(p.w3, o * fcIn, act.a2, 0, fcIn);
    act.logits[o] = acc;
    if (acc > act.logits[best]!) best = o;
  }
  let sum = 0;
  for (let o = 0; o < FC_OUT; o++) sum += act.probs[o] = Math.exp(act.logits[o]! - act.logits[best]!);
  for (let o = 0; o < FC_OUT; o++) act.probs[o] = act.probs[o]! / sum;
  return best;
}

/** Scratch gradients of the activations, reused across samples. */
export interface Scratch { d1: Float64Array; d2: Float64Array; dlogits: Float64Array }
export const scratch = (a: Arch = DIGITS): Scratch => ({
  d1: new Float64Array(a.conv1.oh * a.conv1.ow * a.conv1.cout), d2: new Float64Array(a.fcIn), dlogits: new Float64Array(FC_OUT),
});

/**
 * Cross-entropy gradient of one sample after forward(): accumulates into grads, returns the loss.
 */
export function backward(p: Params, act: Activations, label: number, grads: Params, s: Scratch): number {
  for (let o = 0; o < FC_OUT; o++) s.dlogits[o] = act.probs[o]! - (o === label ? 1 : 0);
  backwardFrom(p, act, s.dlogits, grads, s);
  return -Math.log(Math.max(act.probs[label]!, 1e-300));
}

/** Accumulates into grads the gradients behind dlogits, the loss's gradient w.r.t. the logits. */
export function backwardFrom(p: Params, act: Activations, dlogits: Float64Array, grads: Params, s: Scratch): void {
  const { conv1, conv2, fcIn } = p.arch;
  s.d2.fill(0);
  s.d1.fill(0);
  for (let o = 0; o < FC_OUT; o++) {
    const g = dlogits[o]!;
    grads.b3[o] = grads.b3[o]! + g;
    const row = o * fcIn;
    for (let i = 0; i < fcIn; i++) {
      grads.w3[row + i] = grads.w3[row + i]! + g * act.a2[i]!;
      s.d2[i] = s.d2[i]! + g * p.w3[row + i]!;
    }
  }
  convReluBack(conv2, act.cols2, p.w2, act.a2, s.d2, grads.w2, grads.b2, s.d1);
  convReluBack(conv1, act.cols1, p.w1, act.a1, s.d1, grads.w1, grads.b1, null);
}
