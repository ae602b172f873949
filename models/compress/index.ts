// `edgewasm compress`: a model pruned at each sparsity asked for — weights (prune.ts) or, structured,
// whole channels (structured.ts) — converted (a float model pruned first, then quantized with the
// calibration samples, so the ranges are the pruned model's).

import { ConvertError, type Graph } from '../graph.js';
import { convertImported, readModelFile, type Calibration } from '../convert.js';
import { pruneGraph, type PruneScope } from './prune.js';
import { pruneChannels } from './structured.js';

/** zeros of prunable: weights set to zero, or with `structured` channels removed. */
export interface Compressed { sparsity: number; ewm: Uint8Array; zeros: number; prunable: number }

export interface CompressOptions { scope?: PruneScope; structured?: boolean; calibration?: Calibration }

/** The model at each sparsity (0: unpruned), in order; every refusal names the file. */
export function compressModel(bytes: Uint8Array, source: string, sparsities: number[], options: CompressOptions = {}): Compressed[] {
  const { scope = 'layer', structured = false, calibration } = options;
  const graph: Graph = readModelFile(bytes, source);
  let samples: Float32Array[][] | undefined;
  const calibrationOnce = calibration && {
    ...calibration,
    samples: (g: Graph) => (samples ??= typeof calibration.samples === 'function' ? calibration.samples(g) : calibration.samples),
  };
  return sparsities.map((sparsity) => {
    try {
      if (structured) {
        const { graph: pruned, layers } = pruneChannels(graph, sparsity);
        const { bytes: ewm } = convertImported(pruned, source, calibrationOnce);
        return { sparsity, ewm, zeros: layers.reduce((n, l) => n + l.removed, 0), prunable: layers.reduce((n, l) => n + l.channels, 0) };
      }
      const { graph: pruned, layers } = pruneGraph(graph, { sparsity, scope });
      const { bytes: ewm } = convertImported(pruned, source, calibrationOnce);
      return { sparsity, ewm, zeros: layers.reduce((n, l) => n + l.zeros, 0), prunable: layers.reduce((n, l) => n + l.weights, 0) };
    } catch (e) {
      if (e instanceof ConvertError && !e.message.startsWith(`${source}: `)) throw new ConvertError(`${source}: ${e.message}`);
      throw e;
    }
  });
}
