// Kernel micro-benchmark: GMAC/s of the int8 conv2d, depthwise conv2d and fully-connected kernels,
// reference and SIMD variants side by side, on layers the size of those in the MLPerf Tiny models,
// next to the machine's measured wasm SIMD peak (bench/assembly/peak.ts: a tight
// i32x4.dot_i16x8_s + i32x4.add loop, timed beside each layer), so a kernel's efficiency is a
// measured ratio, not a guess.
// Kernels come from build/test-kernels.wasm (tests/assembly/kernel-exports.ts, exports
// <op>_i8_ref / <op>_i8_simd with one signature per op); a variant not exported there is reported
// as missing. MACs count every filter tap, padding included (what the loops are shaped for).
// Each run also checks that the SIMD output equals the reference output (a sanity check; the
// tests own exactness).

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { ROOT } from '../tests/golden.js';

type Kernel = (...args: number[]) => void;

interface Layer {
  op: 'conv2d' | 'depthwise_conv2d' | 'fully_connected';
  name: string;
  inBytes: number; weightBytes: number; outC: number; outBytes: number; macs: number;
  /** Kernel arguments after (out, in, weights, bias, mults, shifts). */
  dims: number[];
}

// inputOffset 128 (input zero point -128), output zero point -128, no fused clamp: typical of the models.
const TAIL = [128, -128, -128, 127];

function conv(name: string, inH: number, inW: number, inC: number, outC: number, k: [number, number], stride: number, pad: [number, number]): Layer {
  const outH = Math.ceil(inH / stride), outW = Math.ceil(inW / stride);
  return {
    op: 'conv2d', name, inBytes: inH * inW * inC, weightBytes: outC * k[0] * k[1] * inC, outC, outBytes: outH * outW * outC,
    macs: outH * outW * outC * k[0] * k[1] * inC,
    dims: [1, inH, inW, inC, outH, outW, outC, k[0], k[1], inC, stride, stride, 1, 1, pad[0], pad[1], ...TAIL],
  };
}

function depthwise(name: string, inH: number, inW: number, c: number, stride: number, pad: [number, number]): Layer {
  const outH = Math.ceil(inH / stride), outW = Math.ceil(inW / stride);
  return {
    op: 'depthwise_conv2d', name, inBytes: inH * inW * c, weightBytes: 9 * c, outC: c, outBytes: outH * outW * c,
    macs: outH * outW * c * 9, dims: [1, inH, inW, c, outH, outW, 3, 3, 1, stride, stride, 1, 1, pad[0], pad[1], ...TAIL],
  };
}

function fc(name: string, depth: number, units: number): Layer {
  return { op: 'fully_connected', name, inBytes: depth, weightBytes: depth * units, outC: units, outBytes: units, macs: depth * units, dims: [1, depth, units, ...TAIL] };
}

export const LAYERS: Layer[] = [
  conv('KWS stem 49x10x1 10x4/2 -> 64', 49, 10, 1, 64, [10, 4], 2, [4, 1]),
  conv('KWS pointwise 25x5x64 -> 64', 25, 5, 64, 64, [1, 1], 1, [0, 0]),
  conv('VWW stem 96x96x3 3x3/2 -> 8', 96, 96, 3, 8, [3, 3], 2, [0, 0]),
  conv('VWW pointwise 12x12x64 -> 128', 12, 12, 64, 128, [1, 1], 1, [0, 0]),
  conv('ResNet 16x16x32 3x3 -> 32', 16, 16, 32, 32, [3, 3], 1, [1, 1]),
  conv('VWW pointwise 48x48x8 -> 16', 48, 48, 8, 16, [1, 1], 1, [0, 0]),
  conv('ResNet stem 32x32x3 3x3 -> 16', 32, 32, 3, 16, [3, 3], 1, [1, 1]),
  conv('ResNet 32x32x16 1x1/2 -> 32', 32, 32, 16, 32, [1, 1], 2, [0, 0]),
  conv('VWW pointwise 6x6x128 -> 128', 6, 6, 128, 128, [1, 1], 1, [0, 0]),
  conv('VWW pointwise 3x3x128 -> 256', 3, 3, 128, 256, [1, 1], 1, [0, 0]),
  conv('ResNet 8x8x64 3x3 -> 64', 8, 8, 64, 64, [3, 3], 1, [1, 1]),
  depthwise('KWS dw 25x5x64 3x3', 25, 5, 64, 1, [1, 1]),
  depthwise('VWW dw 24x24x32 3x3', 24, 24, 32, 1, [1, 1]),
  depthwise('VWW dw 48x48x16 3x3/2', 48, 48, 16, 2, [0, 0]),
  depthwise('VWW dw 48x48x8 3x3', 48, 48, 8, 1, [1, 1]),
  fc('AD 640 -> 128', 640, 128),
  fc('AD 128 -> 128', 128, 128),
  fc('KWS 64 -> 12', 64, 12),
];

const instantiate = (path: string) => {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {});
  (instance.exports._initialize as (() => void) | undefined)?.();
  return instance.exports as Record<string, unknown>;
};

/** Allocates and fills one layer's buffers; returns the argument list for a kernel writing to `out`. */
function setUp(wasm: Record<string, unknown>, layer: Layer, seed: number) {
  const alloc = wasm.alloc as (n: number) => number;
  const memory = wasm.memory as WebAssembly.Memory;
  let s = seed >>> 0;
  const fill = (ptr: number, n: number) => {
    const bytes = new Int8Array(memory.buffer, ptr, n);
    for (let i = 0; i < n; i++) bytes[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) - 128;
  };
  const inp = alloc(layer.inBytes), weights = alloc(layer.weightBytes);
  const bias = alloc(4 * layer.outC), mults = alloc(4 * layer.outC), shifts = alloc(4 * layer.outC);
  const outRef = alloc(layer.outBytes), outSimd = alloc(layer.outBytes);
  fill(inp, layer.inBytes);
  fill(weights, layer.weightBytes);
  const view = new Int32Array(memory.buffer);
  for (let c = 0; c < layer.outC; c++) {
    view[bias / 4 + c] = (c * 37) % 2000 - 1000;
    view[mults / 4 + c] = 1_300_000_001 + c * 1002; // about 0.6 in Q0.31, odd like most real multipliers
    view[shifts / 4 + c] = -9; // scales the accumulator into int8 range without saturating everything
  }
  // The SIMD kernels' data packed as the runtime packs it at load (assembly/ops/conv.ts), in the
  // form the runtime would choose.
  const call = wasm as Record<string, (...a: number[]) => number>;
  let packed = 0;
  if (layer.op === 'depthwise_conv2d') {
    const [, , inW, c, , , fH, fW, dm, , , dH, dW] = layer.dims as [number, number, number, number, number, number, number, number, number, number, number, number, number];
    const bytes = call.depthwise_packed_bytes!(c, fH, fW, dm);
    if (bytes > 0) call.depthwise_pack!(packed = alloc(bytes), weights, bias, mults, shifts, c, inW, fH, fW, dH, dW, TAIL[0]!);
  } else {
    const K = layer.weightBytes / layer.outC;
    const form = call.gemm_form!(0, weights, K, layer.outC, layer.outBytes / layer.outC, 1, bias, mults, shifts, TAIL[0]!);
    call.pack_gemm!(packed = alloc(call.gemm_packed_bytes!(form, K, layer.outC)), form, weights, K, layer.outC, bias, mults, shifts);
  }
  const args = (out: number) => [out, inp, weights, bias, mults, shifts, ...layer.dims, packed];
  const same = () => {
    const a = new Int8Array(memory.buffer, outRef, layer.outBytes), b = new Int8Array(memory.buffer, outSimd, layer.outBytes);
    return a.every((v, i) => v === b[i]);
  };
  return { args, outRef, outSimd, same };
}

const gmacs = (macs: number, ms: number) => macs / (ms * 1e6);

export async function runKernelBench(timeMs: number): Promise<void> {
  const kernelsPath = join(ROOT, 'build', 'test-kernels.wasm');
  const peakPath = join(ROOT, 'build', 'bench-peak.wasm');
  for (const p of [kernelsPath, peakPath]) {
    if (!existsSync(p)) {
      console.log(`\nkernel benchmark skipped: ${p} is missing (npm run build:test-wasm && npm run build:bench-wasm)`);
      return;
    }
  }
  const wasm = instantiate(kernelsPath);
  const peak = instantiate(peakPath).peak_dot_i16x8 as (iters: number) => number;
  const PEAK_ITERS = 100_000; // 64 MACs each: 6.4 M MACs, about half a millisecond
  const options = { time: Math.max(200, timeMs / 3), warmupTime: 100 };
  type Result = { latency?: { p50: number } } | undefined;
  const p50 = (bench: Bench, name: string) => (bench.tasks.find((t) => t.name === name)?.result as Result)?.latency?.p50;
  // The relaxed-SIMD dot, where the engine compiles it (bench/assembly/peak-relaxed.ts says why).
  const relaxedPath = join(ROOT, 'build', 'bench-peak-relaxed.wasm');
  const relaxedBytes = existsSync(relaxedPath) ? readFileSync(relaxedPath) : undefined;
  const relaxed = relaxedBytes && WebAssembly.validate(relaxedBytes)
    ? instantiate(relaxedPath).peak_relaxed_dot_i8x16 as (iters: number) => number
    : undefined;
  let relaxedGmacs: number | undefined;
  if (relaxed) {
    const bench = new Bench(options);
    bench.add('peak', () => peak(PEAK_ITERS)).add('peak relaxed', () => relaxed(PEAK_ITERS));
    await bench.run();
    relaxedGmacs = gmacs(PEAK_ITERS * 128, p50(bench, 'peak relaxed') ?? NaN) / gmacs(PEAK_ITERS * 64, p50(bench, 'peak') ?? NaN);
  }
  // Each layer is timed next to its own peak measurement: this machine's speed drifts by tens of
  // percent over a minute, so a peak taken once would misstate the later layers' share of it.
  const rows: { layer: Layer; ref?: number; simd?: number; peak: number; exact: string }[] = [];
  for (const [i, layer] of LAYERS.entries()) {
    const buffers = setUp(wasm, layer, 0x5eed + i);
    const ref = wasm[`${layer.op}_i8_ref`] as Kernel | undefined;
    const simd = wasm[`${layer.op}_i8_simd`] as Kernel | undefined;
    const bench = new Bench(options);
    bench.add('peak', () => peak(PEAK_ITERS));
    if (ref) bench.add('ref', () => ref(...buffers.args(buffers.outRef)));
    if (simd) bench.add('simd', () => simd(...buffers.args(buffers.outSimd)));
    let exact = '-';
    if (ref && simd) {
      ref(...buffers.args(buffers.outRef));
      simd(...buffers.args(buffers.outSimd));
      exact = buffers.same() ? 'yes' : 'NO: differs from ref';
    }
    await bench.run();
    const r = p50(bench, 'ref'), sm = p50(bench, 'simd');
    rows.push({
      layer, exact, peak: gmacs(PEAK_ITERS * 64, p50(bench, 'peak') ?? NaN),
      ref: r === undefined ? undefined : gmacs(layer.macs, r), simd: sm === undefined ? undefined : gmacs(layer.macs, sm),
    });
  }
  const peaks = rows.map((r) => r.peak).sort((a, b) => a - b);
  console.log(`\nkernel GMAC/s (one thread; machine peak, a tight i32x4.dot_i16x8_s + i32x4.add loop, measured next to each layer: ${peaks[0]!.toFixed(1)}-${peaks.at(-1)!.toFixed(1)} GMAC/s)`);
  console.log(relaxedGmacs === undefined
    ? 'relaxed SIMD: this engine does not compile it (Node 20: --experimental-wasm-relaxed-simd); no relaxed build is made'
    : `relaxed SIMD: i32x4.relaxed_dot_i8x16_i7x16_add_s loop ${relaxedGmacs.toFixed(2)}x the i16 dot's GMAC/s; ` +
      `an exact int8 kernel needs two per 16 MACs, so a relaxed build would pay only above 2x`);
  console.log('');
  console.log('| layer | MACs | ref GMAC/s | simd GMAC/s | simd / ref | peak GMAC/s | simd / peak | simd = ref |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { layer, ref: rg, simd: sg, peak: pg, exact } of rows) {
    console.log(`| ${layer.op} ${layer.name} | ${layer.macs} | ${rg?.toFixed(2) ?? 'missing'} | ${sg?.toFixed(2) ?? `missing (${layer.op}_i8_simd not exported)`} | ` +
      `${rg && sg ? `${(sg / rg).toFixed(1)}x` : '-'} | ${pg.toFixed(1)} | ${sg ? `${((100 * sg) / pg).toFixed(0)} %` : '-'} | ${exact} |`);
  }
}
