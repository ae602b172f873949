// Where the runtime .wasm comes from: the caller's module or bytes, or one of the builds shipped in
// build/ — `simd` (wasm SIMD128) where the engine validates SIMD, else `mvp` (strict MVP, for
// interpreters such as wasm3 and WAMR classic). Read with node:fs in Node, fetched in a browser.

export type Build = 'simd' | 'mvp';
export const BUILDS: Build[] = ['simd', 'mvp'];

// (module (func (result v128) (v128.const i32x4 0 0 0 0))): valid only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b,
]);

/** The fastest build this engine can run. */
export function bestBuild(): Build {
  return WebAssembly.validate(SIMD_PROBE) ? 'simd' : 'mvp';
}

const cache = new Map<Build, Promise<WebAssembly.Module>>();

export async function loadRuntimeModule(given?: WebAssembly.Module | BufferSource, build: Build = bestBuild()): Promise<WebAssembly.Module> {
  if (given instanceof WebAssembly.Module) return given;
  if (given) return WebAssembly.compile(given);
  let module = cache.get(build);
  if (!module) {
    module = compileShipped(build);
    cache.set(build, module);
  }
  return module;
}

async function compileShipped(build: Build): Promise<WebAssembly.Module> {
  const url = new URL(`../../build/edgewasm-${build}.wasm`, import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  return WebAssembly.compileStreaming(fetch(url));
}
