// The edgewasm command line's help texts, one per verb (host/cli.ts).

export const HELP: Record<string, string> = {
  convert: `usage: edgewasm convert IN.tflite|IN.onnx -o OUT.ewm [--calibrate FILE|DIR [--ranges minmax|percentile] [--percentile P]] [--force]
  Convert a TFLite or ONNX model to .ewm; prints the op count and the arena size. An int8 TFLite
  model converts as it is; a float (or hybrid) model is quantized to int8 with calibration samples
  (an ONNX model's 4-D input becomes NHWC).
  -o, --output FILE   where to write the .ewm
  --calibrate PATH    calibration samples: raw float32 samples back to back, or .npy float32, or a
                      directory of such files
  --ranges METHOD     activation ranges from the samples' minmax (default) or a percentile of each tail
  --percentile P      for --ranges percentile: the share of values inside the range (default 99.99)
  --json              with --calibrate, print the quantization report as JSON
  --force             overwrite FILE if it exists
  With --calibrate it then prints a quantization report on the calibration samples: each layer's
  SQNR (int8 against float activations), the outputs' top-1 agreement (or mean absolute error),
  and the model bytes, float against int8.`,
  run: `usage: edgewasm run MODEL.ewm --input FILE [--output FILE] [--top K] [--build simd|mvp] [--max-memory MIB] [--force]
  Run every sample in FILE (raw samples back to back, in the input's dtype).
  -i, --input FILE    the samples (give it once per model input)
  -o, --output FILE   write the outputs back to back in the output's dtype
  --top K             without --output, print each sample's top K classes (default 3)
  --build simd|mvp    the runtime build (default: the best this engine supports)
  --max-memory MIB    refuse a model needing more memory than this (default 256)
  --force             overwrite the output file if it exists`,
  inspect: `usage: edgewasm inspect MODEL (.ewm or .tflite)
  Print the ops with their shapes, MACs and parameter bytes, and the activation arena.`,
  bundle: `usage: edgewasm bundle MODEL (.ewm or .tflite) -o OUT.wasm [--mvp|--simd] [--force]
  One WASI command module with the runtime and the model: it reads samples (every input's bytes in turn)
  from stdin and writes each sample's output bytes to stdout. Prints its size and memory pages.
  -o, --output FILE   where to write the .wasm
  --mvp               the strict-MVP runtime, for interpreters (wasm3, WAMR classic); the default
  --simd              the SIMD128 runtime (wasmtime, WAMR with SIMD, V8)
  --force             overwrite FILE if it exists`,
  'export-c': `usage: edgewasm export-c FILE -o OUT.h [--name NAME] [--force]
  A C header with FILE's bytes (a bundle, a runtime .wasm or an .ewm) as a const array and its length,
  for firmware that links the module in (WAMR, wasm3).
  -o, --output FILE   where to write the header
  --name NAME         the array's C name (default: from FILE's name)
  --force             overwrite OUT.h if it exists`,
  compress: `usage: edgewasm compress IN.tflite|IN.onnx|IN.ewm (--prune S [--scope layer|global | --structured] | --rank R | --energy E)
                 -o OUT.ewm [--compare V,V...]
                 [--calibrate FILE|DIR] [--samples FILE|DIR [--labels FILE]] [--json FILE] [--force]
  Prune the conv and fully connected weights of smallest magnitude (unstructured) to sparsity S,
  convert (a float model is pruned, then quantized with --calibrate's samples), write OUT.ewm, and
  print the trade-off table: the original model, S, and each --compare setting, with the share removed
  (zeroed weights, removed channels or saved parameters),
  weight and model bytes, MACs executed, latency of each runtime build here, and top-1 agreement
  with the original model (or mean absolute output difference; accuracy with --labels). An .ewm
  takes --prune and --structured (--rank and --energy need the float .tflite or .onnx model).
  --prune S           the share of weights set to zero, in [0, 1)
  --scope SCOPE       layer: S in every layer (default); global: one magnitude cut over all layers
  --structured        remove the share S of each layer's output channels (weakest L2 norm) and the
                      inputs they feed downstream: a smaller dense model, faster in every build
                      (layers feeding a residual ADD, a concatenation or the output stay whole)
  --rank R            instead: low-rank factorization of each fully connected and 1x1 conv layer of
                      a float model (needs --calibrate): its truncated SVD at rank R, as two layers,
                      where that saves parameters
  --energy E          the same at the least rank keeping the share E of each layer's energy
  --compare LIST      more values of the same option for the table only, comma-separated
  --calibrate PATH    calibration samples for a float model (as convert)
  --samples PATH      float32 samples to compare outputs on (raw, .npy or a directory; default: the
                      calibration samples, else 32 random inputs over the int8 input range)
  --labels FILE       one class index per sample, uint8, for accuracy
  --json FILE         also write the table as JSON
  --force             overwrite OUT.ewm (and the JSON file) if they exist`,
  profile: `usage: edgewasm profile MODEL (.ewm or .tflite) [--build simd|mvp] [--rounds N] [--max-memory MIB] [--json]
  Time each op (median of N runs, default 200) and whole runs on this machine.
  --build simd|mvp    the runtime build (default: the best this engine supports)
  --max-memory MIB    refuse a model needing more memory than this (default 256)
  --rounds N          runs per op
  --json              print the profile as JSON`,
};
export const USAGE = `usage: edgewasm <convert|compress|run|inspect|profile|bundle|export-c> [options]   (edgewasm <verb> --help for each)\n\n${Object.values(HELP).join('\n\n')}`;

