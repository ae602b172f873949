// `edgewasm export-c`: a C header holding a file's bytes, for firmware that embeds WAMR or wasm3 and
// links the module in, as TensorFlow Lite Micro users embed models with `xxd -i`. The array is
// const (flash, not RAM, on most toolchains) and 16-byte aligned with GCC and Clang.

/** A C identifier from a file name: letters, digits and underscores, not starting with a digit. */
export function cIdentifier(fileName: string): string {
  const base = fileName.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(base) ? `_${base}` : base || 'model';
}

export function exportC(bytes: Uint8Array, name: string, source: string): string {
  const guard = `${name.toUpperCase()}_H`;
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) {
    rows.push(`  ${Array.from(bytes.subarray(i, i + 12), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return [
    `/* ${source}: ${bytes.length} bytes, written by edgewasm export-c. */`,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    `#define ${name.toUpperCase()}_LEN ${bytes.length}u`,
    '',
    '#if defined(__GNUC__) || defined(__clang__)',
    '__attribute__((aligned(16)))',
    '#endif',
    `static const unsigned char ${name}[${name.toUpperCase()}_LEN] = {`,
    ...rows,
    '};',
    `static const unsigned int ${name}_len = ${name.toUpperCase()}_LEN;`,
    '',
    `#endif /* ${guard} */`,
    '',
  ].join('\n');
}
