// Where the runtime .wasm comes from: the caller's module or bytes, or the file shipped beside this
// package (build/edgewasm.wasm), read with node:fs in Node and fetched in a browser.

let cached: Promise<WebAssembly.Module> | undefined;

export async function loadRuntimeModule(given?: WebAssembly.Module | BufferSource): Promise<WebAssembly.Module> {
  if (given instanceof WebAssembly.Module) return given;
  if (given) return WebAssembly.compile(given);
  cached ??= compileShipped();
  return cached;
}

async function compileShipped(): Promise<WebAssembly.Module> {
  const url = new URL('../../build/edgewasm.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  return WebAssembly.compileStreaming(fetch(url));
}
