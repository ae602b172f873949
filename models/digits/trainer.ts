// The digit networks' float trainer (net.ts): Adam on cross-entropy, minibatches of 32, learning rate
// on a cosine schedule, each image shifted by up to 2 pixels each way (the training set is small;
// without the shifts the net memorizes it). The same loop fine-tunes a pruned network (a mask keeps
// pruned weights at zero: their gradients are dropped and they are zeroed after every step) and
// distils a teacher into a student (Hinton et al.'s soft targets: the loss's gradient w.r.t. the
// student's logits is alpha (p - y) + (1 - alpha) T (softmax(z / T) - softmax(z_teacher / T)), the
// gradient of alpha CE(y, p) + (1 - alpha) T^2 CE(softmax(z_teacher / T), softmax(z / T))), and
// fine-tunes under a constraint by projecting back onto it after every step (a low-rank FC layer).
// Reproducible: one seeded mulberry32 stream draws the initial weights, the shuffles and the shifts,
// and every float operation runs in a fixed order on one thread.

import { image, PIXELS, SIDE, type Digits } from './data.js';
import { activations, backward, backwardFrom, forward, params, scratch, DIGITS, FC_OUT, type Arch, type Params } from './net.js';
import { mulberry32 } from '../prng.js';

const BATCH = 32;
const SHIFT = 2; // pixels, each way
const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** How `npm run digits` trains the default digit model (8 epochs: about 45 s on one core). */
export const DIGITS_TRAINING = { seed: 20240601, epochs: 8, learningRate: 0.004 };

export interface TrainOptions {
  seed: number;
  epochs: number;
  learningRate: number;
  arch?: Arch; // default: the digit model's
  init?: Params; // start from these weights (fine-tuning), else He-uniform
  mask?: Uint8Array; // per flat parameter, 0: pruned, stays 0
  project?: (p: Params) => void; // applied after every step (e.g. back to a low-rank FC layer)
  teacher?: { params: Params; temperature: number; alpha: number };
  log?: (line: string) => void;
}

const jitter = (rand: () => number) => Math.floor(rand() * (2 * SHIFT + 1)) - SHIFT;

/** He-uniform weights (limit sqrt(6 / fan_in)), zero biases. */
function initialParams(a: Arch, rand: () => number): Params {
  const p = params(a);
  const fill = (w: Float64Array, fanIn: number) => {
    const limit = Math.sqrt(6 / fanIn);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rand() - 1) * limit;
  };
  fill(p.w1, a.conv1.k * a.conv1.k * a.conv1.cin);
  fill(p.w2, a.conv2.k * a.conv2.k * a.conv2.cin);
  fill(p.w3, a.fcIn);
  return p;
}

/** The image moved by (dx, dy) pixels, zeros shifted in. */
function shift(x: Float32Array, dx: number, dy: number, out: Float64Array): Float64Array {
  out.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(SIDE, SIDE + dy); y++) {
    for (let k = Math.max(0, dx); k < Math.min(SIDE, SIDE + dx); k++) out[y * SIDE + k] = x[(y - dy) * SIDE + k - dx]!;
  }
  return out;
}

function shuffle(order: Uint32Array, rand: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

export function floatPredictions(p: Params, set: Digits): Uint8Array {
  const act = activations(p.arch);
  return Uint8Array.from({ length: set.count }, (_, i) => forward(p, image(set, i), act));
}

// softmax(logits / T).
function softened(logits: Float64Array, T: number): Float64Array {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z / T);
  const out = Float64Array.from(logits, (z) => Math.exp(z / T - max));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((e) => e / sum);
}

/**
 * The distillation loss's gradient w.r.t. the student's logits z, into out: alpha (softmax(z) - y)
 * + (1 - alpha) T (softmax(z / T) - softmax(zt / T)), zt the teacher's logits, y the label one-hot.
 */
export function distillLogitGrad(z: Float64Array, zt: Float64Array, label: number, T: number, alpha: number, out: Float64Array): void {
  const p = softened(z, 1), ps = softened(z, T), pt = softened(zt, T);
  for (let c = 0; c < FC_OUT; c++) out[c] = alpha * (p[c]! - (c === label ? 1 : 0)) + (1 - alpha) * T * (ps[c]! - pt[c]!);
}

export function trainFloat(train: Digits, o: TrainOptions): Params {
  const a = o.arch ?? o.init?.arch ?? DIGITS;
  const rand = mulberry32(o.seed);
  const p = o.init ? params(a, o.init.flat.slice()) : initialParams(a, rand);
  const n = a.paramCount;
  const grads = params(a);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const act = activations(a);
  const s = scratch(a);
  const teacherAct = o.teacher ? activations(o.teacher.params.arch) : undefined;
  const moved = new Float64Array(PIXELS);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  const steps = o.epochs * Math.ceil(train.count / BATCH);
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, rand);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < train.count; start += BATCH) {
      const end = Math.min(start + BATCH, train.count);
      grads.flat.fill(0);
      for (let k = start; k < end; k++) {
        const i = order[k]!;
        const label = train.labels[i]!;
        const x = shift(image(train, i), jitter(rand), jitter(rand), moved);
        if (forward(p, x, act) === label) correct++;
        if (!o.teacher) {
          loss += backward(p, act, label, grads, s);
          continue;
        }
        forward(o.teacher.params, x, teacherAct!);
        distillLogitGrad(act.logits, teacherAct!.logits, label, o.teacher.temperature, o.teacher.alpha, s.dlogits);
        backwardFrom(p, act, s.dlogits, grads, s);
        loss -= Math.log(Math.max(act.probs[label]!, 1e-300));
      }
      step++;
      const lr = o.learningRate * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / steps));
      const c1 = 1 - ADAM.beta1 ** step;
      const c2 = 1 - ADAM.beta2 ** step;
      const count = end - start;
      for (let j = 0; j < n; j++) {
        if (o.mask && o.mask[j] === 0) continue;
        const g = grads.flat[j]! / count;
        m[j] = ADAM.beta1 * m[j]! + (1 - ADAM.beta1) * g;
        v[j] = ADAM.beta2 * v[j]! + (1 - ADAM.beta2) * g * g;
        p.flat[j] = p.flat[j]! - (lr * (m[j]! / c1)) / (Math.sqrt(v[j]! / c2) + ADAM.eps);
      }
      o.project?.(p);
    }
    o.log?.(`epoch ${String(epoch + 1).padStart(2)}/${o.epochs}: loss ${(loss / train.count).toFixed(4)}, train accuracy ${(100 * correct / train.count).toFixed(2)} %`);
  }
  return p;
}
