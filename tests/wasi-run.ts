// Runs a bundle as a WASI preview1 command under node:wasi, with stdin, stdout and stderr in files
// of a temporary directory (node:wasi takes file descriptors). Shared by the bundle tests.

import { readFileSync, writeFileSync, openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

const dir = mkdtempSync(join(tmpdir(), 'edgewasm-wasi-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The command's exit code, stdout and stderr for these stdin bytes, arguments and preopened directories. */
export async function runWasi(
  wasm: Uint8Array, stdin: Uint8Array, args: string[] = [], preopens: Record<string, string> = {},
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const paths = ['in', 'out', 'err'].map((f) => join(dir, `${f}-${process.hrtime.bigint()}`));
  writeFileSync(paths[0]!, stdin);
  const fds = [openSync(paths[0]!, 'r'), openSync(paths[1]!, 'w'), openSync(paths[2]!, 'w')];
  try {
    const wasi = new WASI({ version: 'preview1', args: ['bundle', ...args], preopens, stdin: fds[0], stdout: fds[1], stderr: fds[2], returnOnExit: true });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>), wasi.getImportObject() as WebAssembly.Imports);
    const code = wasi.start(instance);
    return { code, stdout: readFileSync(paths[1]!), stderr: readFileSync(paths[2]!, 'utf8') };
  } finally {
    fds.forEach((fd) => closeSync(fd));
  }
}
