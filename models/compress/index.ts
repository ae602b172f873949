// `edgewasm compress`: a model pruned at each sparsity asked for — weights (prune.ts) or, structured,
// whole channels (structured.ts) — converted (a float model pruned first, then quantized with the
// calibration samples, so the ranges are the pruned model's), or low-rank factorized (lowrank.ts).
// An .ewm is read back (ewm-reader.ts), pruned and written again.

import { ConvertError, type Graph } from '../graph.js';
import { convertImported, readModelFile, isFloatGraph, writeLowered, type Calibration } from '../convert.js';
import { pruneGraph, type PruneScope } from './prune.js';
import { pruneChannels } from './structured.js';
import { factorizeGraph } from './lowrank.js';
import { isEwm, readLowered } from '../ewm-reader.js';

/** zeros of prunable: weights set to zero; channels removed (structured); parameters saved (low rank). */
export interface Compressed { sparsity: number; ewm: Uint8Array; zeros: number; prunable: number }

/** How: weights to zero (prune), channels removed (structured), or low rank (rank r, or energy kept). */
export type CompressMethod = 'prune' | 'structured' | 'rank' | 'energy';

export interface CompressOptions { method?: CompressMethod; scope?: PruneScope; calibration?: Calibration }

/** The model at each setting (0: the original), in order; every refusal names the file. */
export function compressModel(bytes: Uint8Array, source: string, sparsities: number[], options: CompressOptions = {}): Compressed[] {
  const { method = 'prune', scope = 'layer', calibration } = options;
  if (isEwm(bytes)) return pruneEwm(bytes, source, sparsities, method, scope);
  const graph: Graph = readModelFile(bytes, source);
  if ((method === 'rank' || method === 'energy') && !isFloatGraph(graph)) {
    throw new ConvertError(`${source}: low-rank factorization takes a float model (its factors are quantized with --calibrate, like every other layer); this one is int8`);
  }
  let samples: Float32Array[][] | undefined;
  const calibrationOnce = calibration && {
    ...calibration,
    samples: (g: Graph) => (samples ??= typeof calibration.samples === 'function' ? calibration.samples(g) : calibration.samples),
  };
  return sparsities.map((sparsity) => named(source, () => {
    if (method === 'rank' || method === 'energy') {
      // 0: the model as it is (the table's reference row).
      const { graph: factored, layers } = sparsity === 0 ? { graph, layers: [] } : factorizeGraph(graph, { [method]: sparsity });
      const { bytes: ewm } = convertImported(factored, source, calibrationOnce);
      const before = layers.reduce((n, l) => n + l.units * l.depth, 0);
      return { sparsity, ewm, zeros: before - layers.reduce((n, l) => n + l.rank * (l.units + l.depth), 0), prunable: before };
    }
    if (method === 'structured') {
      const { graph: pruned, layers } = pruneChannels(graph, sparsity);
      const { bytes: ewm } = convertImported(pruned, source, calibrationOnce);
      return { sparsity, ewm, zeros: layers.reduce((n, l) => n + l.removed, 0), prunable: layers.reduce((n, l) => n + l.channels, 0) };
    }
    const { graph: pruned, layers } = pruneGraph(graph, { sparsity, scope });
    const { bytes: ewm } = convertImported(pruned, source, calibrationOnce);
    return { sparsity, ewm, zeros: layers.reduce((n, l) => n + l.zeros, 0), prunable: layers.reduce((n, l) => n + l.weights, 0) };
  }));
}

// f's result; a ConvertError it throws is named by the file it came from.
function named<T>(source: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConvertError && !e.message.startsWith(`${source}: `)) throw new ConvertError(`${source}: ${e.message}`);
    throw e;
  }
}

// An .ewm, already int8 and lowered: its conv and FC weights pruned (on their real magnitudes, as a
// .tflite's would be) or whole channels removed, and the model written again. Low rank works on the
// imported graph, whose float weights it factorizes: it needs the source model.
function pruneEwm(bytes: Uint8Array, source: string, sparsities: number[], method: CompressMethod, scope: PruneScope): Compressed[] {
  if (method !== 'prune' && method !== 'structured') {
    throw new ConvertError(`${source}: low-rank factorization takes the float .tflite or .onnx model; an .ewm is int8 (prune it with --prune S, or --structured)`);
  }
  const model = readLowered(bytes, source);
  return sparsities.map((sparsity) => named(source, () => {
    const ops = model.ops.map((op) => ({ ...op, inputs: [...op.inputs], outputs: [...op.outputs], params: [...op.params] }));
    if (method === 'structured') {
      const { graph, layers } = pruneChannels(model.graph, sparsity);
      const { bytes: ewm } = writeLowered({ ...graph, tensors: [...graph.tensors] }, ops);
      return { sparsity, ewm, zeros: layers.reduce((n, l) => n + l.removed, 0), prunable: layers.reduce((n, l) => n + l.channels, 0) };
    }
    const { graph, layers } = pruneGraph(model.graph, { sparsity, scope });
    const { bytes: ewm } = writeLowered({ ...graph, tensors: [...graph.tensors] }, ops);
    return { sparsity, ewm, zeros: layers.reduce((n, l) => n + l.zeros, 0), prunable: layers.reduce((n, l) => n + l.weights, 0) };
  }));
}
