// The edgewasm library entry: load a .ewm model and run it; read .ewm files; convert TFLite.

export { loadModel, quantize, dequantize, DEFAULT_MAX_MEMORY, type Model, type LoadOptions, type TypedArray } from './runtime.js';
export { readEwm, type EwmInfo, type TensorInfo, type DTypeName } from './ewm.js';
export { EwmError } from './errors.js';
export { bestBuild, BUILDS, type Build } from './wasm-source.js';
