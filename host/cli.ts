#!/usr/bin/env node
// The edgewasm command line: convert a TFLite model, run a model on raw samples, inspect a model.
// A user's mistake ends in `error: …` on stderr (exit 1), a usage mistake in a usage line (exit 2),
// never a stack trace. Outputs are written to a temporary file and renamed: never a partial file.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync, writeFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { loadModel, type TypedArray } from './runtime.js';
import { readEwm } from './ewm.js';
import { formatInspect } from './inspect.js';
import { profileModel, formatProfile } from './profile.js';
import { bundle } from './bundle.js';
import { exportC, cIdentifier } from './export-c.js';
import { EwmError } from './errors.js';
import { BUILDS, type Build } from './wasm-source.js';
import { ConvertError } from '../models/graph.js';
import { convertModelFile, readModelFile, type Calibration } from '../models/convert.js';
import { readSamples } from '../models/quantize/samples.js';
import { quantReport, formatQuantReport } from './quant-report.js';
import { compressReport, formatCompressReport, randomInputs } from './compress-report.js';
import { compressModel } from '../models/compress/index.js';
import { isEwm, readLowered } from '../models/ewm-reader.js';
import { HELP, USAGE } from './cli-help.js';

class UsageError extends Error {}

/** A file-system error as its code and the system's words, e.g. "ENOSPC: no space left on device". */
function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words = err.code && err.message.startsWith(`${err.code}: `) ? err.message.split(',')[0]! : err.code;
  return words ?? err.message;
}

function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new EwmError(`cannot read ${path}: ${ioReason(e)}`);
  }
}

/** Write through a temporary file renamed into place, so a failure never leaves a partial file. */
function writeOutput(path: string, bytes: Uint8Array, force: boolean): void {
  if (existsSync(path) && !force) throw new EwmError(`${path} exists; pass --force to overwrite it`);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new EwmError(`cannot write ${path}: ${ioReason(e)}`);
  }
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(verb: string, args: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${HELP[verb]}`);
  }
}

// Calibration from the convert options, or undefined without --calibrate.
function calibrationOf(values: Values): Calibration | undefined {
  const ranges = values.ranges ?? 'minmax';
  if (ranges !== 'minmax' && ranges !== 'percentile') throw new UsageError(`--ranges ${String(ranges)}: expected minmax or percentile\n${HELP.convert}`);
  const percentile = values.percentile === undefined ? undefined : Number(values.percentile);
  if (percentile !== undefined && !(percentile > 50 && percentile <= 100)) {
    throw new UsageError(`--percentile ${String(values.percentile)}: expected a number in (50, 100]\n${HELP.convert}`);
  }
  if (typeof values.calibrate !== 'string') {
    if (values.ranges !== undefined || percentile !== undefined) throw new UsageError(`--ranges and --percentile need --calibrate\n${HELP.convert}`);
    return undefined;
  }
  const path = values.calibrate;
  const progress = (done: number, total: number) => {
    if (process.stderr.isTTY) process.stderr.write(`\rcalibrating: ${done}/${total} sample runs${done === total ? '\n' : ''}`);
  };
  return { samples: (graph) => (calibrationSamples = readSamples(path, graph)), options: { method: ranges, percentile, progress } };
}

let calibrationSamples: Float32Array[][] | undefined; // what the last calibration read

async function convert(args: string[]): Promise<void> {
  const { values, positionals } = parse('convert', args, {
    output: { type: 'string', short: 'o' }, force: { type: 'boolean' }, calibrate: { type: 'string' },
    ranges: { type: 'string' }, percentile: { type: 'string' }, json: { type: 'boolean' },
  });
  if (values.help) return void console.log(HELP.convert);
  if (positionals.length !== 1 || typeof values.output !== 'string') throw new UsageError(HELP.convert!);
  const input = positionals[0]!;
  const calibration = calibrationOf(values);
  if (values.json && !calibration) throw new UsageError(`--json needs --calibrate\n${HELP.convert}`);
  if (values.output && existsSync(values.output) && values.force !== true) throw new EwmError(`${values.output} exists; pass --force to overwrite it`);
  const source = readInput(input);
  const result = convertModelFile(source, basename(input), calibration);
  writeOutput(values.output, result.bytes, values.force === true);
  console.log(`${values.output}: ${result.opCount} ops, ${result.bytes.length.toLocaleString('en-US')} bytes, arena ${result.plan.arenaSize.toLocaleString('en-US')} bytes (activations without reuse: ${result.plan.activationBytes.toLocaleString('en-US')} bytes)`);
  if (calibrationSamples) {
    const report = await quantReport(readModelFile(source, basename(input)), result.bytes, calibrationSamples, source.length);
    console.log(values.json ? JSON.stringify(report) : `\n${formatQuantReport(report)}`);
  }
}

// A value of --prune (a share in [0, 1)), --energy (a share in (0, 1]) or --rank (a whole number >= 1).
function settingOf(text: string, flag: string, method: string): number {
  const v = Number(text);
  const [ok, expected] = method === 'rank' ? [Number.isInteger(v) && v >= 1, 'a rank, a whole number >= 1']
    : method === 'energy' ? [v > 0 && v <= 1, 'a share of energy in (0, 1]'] : [v >= 0 && v < 1, 'a share of weights in [0, 1)'];
  if (text.trim() === '' || !ok) throw new UsageError(`${flag} ${text}: expected ${expected}\n${HELP.compress}`);
  return v;
}

async function compress(args: string[]): Promise<void> {
  const { values, positionals } = parse('compress', args, {
    output: { type: 'string', short: 'o' }, force: { type: 'boolean' }, prune: { type: 'string' }, scope: { type: 'string' },
    compare: { type: 'string' }, calibrate: { type: 'string' }, samples: { type: 'string' }, labels: { type: 'string' }, json: { type: 'string' },
    structured: { type: 'boolean' }, rank: { type: 'string' }, energy: { type: 'string' },
  });
  if (values.help) return void console.log(HELP.compress);
  const given = (['prune', 'rank', 'energy'] as const).filter((m) => typeof values[m] === 'string');
  if (positionals.length !== 1 || typeof values.output !== 'string' || given.length !== 1) throw new UsageError(HELP.compress!);
  const scope = values.scope ?? 'layer';
  if (scope !== 'layer' && scope !== 'global') throw new UsageError(`--scope ${String(scope)}: expected layer or global\n${HELP.compress}`);
  const method = given[0] === 'prune' ? (values.structured === true ? 'structured' : 'prune') : given[0]!;
  const valueOf = (text: string, flag: string) => settingOf(text, flag, method);
  const sparsities = [0, valueOf(values[given[0]!] as string, `--${given[0]}`), ...(typeof values.compare === 'string' ? values.compare.split(',').map((t) => valueOf(t, '--compare')) : [])];
  if (values.labels && !values.samples) throw new UsageError(`--labels needs --samples\n${HELP.compress}`);
  for (const out of [values.output, values.json]) {
    if (typeof out === 'string' && existsSync(out) && values.force !== true) throw new EwmError(`${out} exists; pass --force to overwrite it`);
  }
  const input = positionals[0]!;
  const source = readInput(input);
  const calibration = typeof values.calibrate === 'string' ? calibrationOf({ calibrate: values.calibrate }) : undefined;
  if (method === 'structured' && values.scope !== undefined) throw new UsageError(`--scope is for weight pruning; --structured removes the same share of channels in every layer\n${HELP.compress}`);
  // An .ewm is checked whole by the runtime's loader first (each field named with its value).
  if (isEwm(source)) await loadModel(source, { name: basename(input) });
  const models = compressModel(source, basename(input), sparsities, { method, scope, calibration });
  const kind = method === 'prune' ? scope : method === 'structured' ? 'channels' : method;
  writeOutput(values.output, models[1]!.ewm, values.force === true);
  console.log(`${values.output}: ${kind} ${sparsities[1]}, ${models[1]!.ewm.length.toLocaleString('en-US')} bytes\n`);
  // Samples are read against the model's inputs: an .ewm's own, or the imported model's.
  const graph = () => (isEwm(source) ? readLowered(source, basename(input)).graph : readModelFile(source, basename(input)));
  const samples = typeof values.samples === 'string' ? readSamples(values.samples, graph()).map((s) => s[0]!)
    : calibrationSamples?.map((s) => s[0]!) ?? await randomInputs(models[0]!.ewm, 32);
  const labels = typeof values.labels === 'string' ? readInput(values.labels) : undefined;
  if (labels && labels.length !== samples.length) throw new EwmError(`${values.labels}: ${labels.length} labels for ${samples.length} samples`);
  const settings = models.map((m, k) => ({ ...m, label: k === 0 ? 'original' : `${kind} ${m.sparsity}` }));
  const rows = await compressReport(settings, samples, labels);
  console.log(formatCompressReport(rows, samples.length));
  if (typeof values.json === 'string') writeOutput(values.json, new TextEncoder().encode(`${JSON.stringify(rows, null, 1)}\n`), values.force === true);
}

async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse('run', args, {
    input: { type: 'string', short: 'i', multiple: true }, output: { type: 'string', short: 'o' },
    top: { type: 'string' }, force: { type: 'boolean' }, build: { type: 'string' }, 'max-memory': { type: 'string' },
  });
  if (values.help) return void console.log(HELP.run);
  const inputFiles = (values.input ?? []) as string[];
  if (positionals.length !== 1 || inputFiles.length === 0) throw new UsageError(HELP.run!);
  const top = values.top === undefined ? 3 : Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top ${String(values.top)}: expected a positive integer\n${HELP.run}`);
  const build = parseBuild('run', values.build);
  const path = positionals[0]!;
  const maxMemory = parseMaxMemory('run', values['max-memory']);
  const model = await loadModel(readInput(path), { name: basename(path), build, maxMemory });
  if (inputFiles.length !== model.inputs.length) throw new EwmError(`${basename(path)} takes ${model.inputs.length} inputs, ${inputFiles.length} --input files given`);

  const data = inputFiles.map(readInput);
  const counts = data.map((d, k) => {
    const t = model.inputs[k]!;
    if (d.length === 0 || d.length % t.bytes !== 0) {
      throw new EwmError(`${inputFiles[k]}: ${d.length} bytes is not a whole number of samples of input '${t.name}' (${t.dtype}[${t.shape}], ${t.bytes} bytes each)`);
    }
    return d.length / t.bytes;
  });
  if (counts.some((n) => n !== counts[0])) throw new EwmError(`input files hold different numbers of samples (${counts.join(', ')})`);

  const chunks: Uint8Array[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const xs = data.map((d, k) => {
      const t = model.inputs[k]!;
      const bytes = d.slice(i * t.bytes, (i + 1) * t.bytes);
      return new ({ int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array }[t.dtype])(bytes.buffer) as TypedArray;
    });
    const ys = model.run(...xs);
    if (values.output) ys.forEach((y) => chunks.push(new Uint8Array(y.buffer, y.byteOffset, y.byteLength)));
    else console.log(`sample ${i}: ${topClasses(model, ys[0]!, top)}`);
  }
  if (typeof values.output === 'string') {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    chunks.reduce((at, c) => (out.set(c, at), at + c.length), 0);
    writeOutput(values.output, out, values.force === true);
  }
}

function topClasses(model: Awaited<ReturnType<typeof loadModel>>, y: TypedArray, k: number): string {
  const t = model.outputs[0]!;
  const score = (v: number) => (t.dtype === 'int8' && t.scale ? (v - t.zeroPoint) * t.scale : v);
  return Array.from(y, (v, i) => ({ i, s: score(v) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map(({ i, s }) => `${model.labels?.[i] ?? i} (${s.toFixed(3)})`)
    .join('  ');
}

/** A model file's .ewm bytes: read as they are, or converted in memory from TFLite. */
function readModel(path: string): { bytes: Uint8Array; file: string; converted: boolean } {
  const file = basename(path);
  const bytes = readInput(path);
  return isEwm(bytes) ? { bytes, file, converted: false } : { bytes: convertModelFile(bytes, file).bytes, file, converted: true };
}

/** --max-memory MIB as bytes, or undefined for the loader's default. */
function parseMaxMemory(verb: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const mib = Number(value);
  if (!(mib > 0 && mib <= 65536)) throw new UsageError(`--max-memory ${String(value)}: expected MiB in (0, 65536]\n${HELP[verb]}`);
  return Math.floor(mib * 1024 * 1024);
}

function parseBuild(verb: string, build: unknown): Build | undefined {
  if (build !== undefined && !BUILDS.includes(build as Build)) throw new UsageError(`--build ${String(build)}: expected one of ${BUILDS.join(', ')}\n${HELP[verb]}`);
  return build as Build | undefined;
}

function inspect(args: string[]): void {
  const { values, positionals } = parse('inspect', args, {});
  if (values.help) return void console.log(HELP.inspect);
  if (positionals.length !== 1) throw new UsageError(HELP.inspect!);
  const { bytes, file, converted } = readModel(positionals[0]!);
  console.log(formatInspect(readEwm(bytes, file), file));
  if (converted) console.log('(converted from TFLite in memory)');
}

function bundleVerb(args: string[]): void {
  const { values, positionals } = parse('bundle', args, {
    output: { type: 'string', short: 'o' }, mvp: { type: 'boolean' }, simd: { type: 'boolean' }, force: { type: 'boolean' },
  });
  if (values.help) return void console.log(HELP.bundle);
  if (positionals.length !== 1 || typeof values.output !== 'string') throw new UsageError(HELP.bundle!);
  if (values.mvp && values.simd) throw new UsageError(`--mvp and --simd: choose one\n${HELP.bundle}`);
  const { bytes, file } = readModel(positionals[0]!);
  const b = bundle(bytes, values.simd ? 'simd' : 'mvp', file);
  writeOutput(values.output, b.bytes, values.force === true);
  const kb = (n: number) => `${n.toLocaleString('en-US')} bytes`;
  console.log(`${values.output}: ${kb(b.bytes.length)} (runtime ${kb(b.runtimeBytes)}, model ${kb(bytes.length)}), memory ${b.pages} pages (${kb(b.pages * 65536)}), ${values.simd ? 'simd' : 'mvp'}`);
}

function exportCVerb(args: string[]): void {
  const { values, positionals } = parse('export-c', args, {
    output: { type: 'string', short: 'o' }, name: { type: 'string' }, force: { type: 'boolean' },
  });
  if (values.help) return void console.log(HELP['export-c']);
  if (positionals.length !== 1 || typeof values.output !== 'string') throw new UsageError(HELP['export-c']!);
  const name = typeof values.name === 'string' ? values.name : cIdentifier(basename(values.output));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--name ${name}: not a C identifier\n${HELP['export-c']}`);
  const path = positionals[0]!;
  const bytes = readInput(path);
  writeOutput(values.output, new TextEncoder().encode(exportC(bytes, name, basename(path))), values.force === true);
  console.log(`${values.output}: ${name}[${bytes.length.toLocaleString('en-US')}] from ${basename(path)}`);
}

async function profile(args: string[]): Promise<void> {
  const { values, positionals } = parse('profile', args, { build: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' }, 'max-memory': { type: 'string' } });
  if (values.help) return void console.log(HELP.profile);
  if (positionals.length !== 1) throw new UsageError(HELP.profile!);
  const rounds = values.rounds === undefined ? 200 : /^[0-9]+$/.test(String(values.rounds)) ? Number(values.rounds) : NaN;
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds ${String(values.rounds)}: expected a positive integer\n${HELP.profile}`);
  const build = parseBuild('profile', values.build);
  const maxMemory = parseMaxMemory('profile', values['max-memory']);
  const { bytes, file } = readModel(positionals[0]!);
  const p = await profileModel(bytes, file, build, rounds, maxMemory);
  console.log(values.json ? JSON.stringify({ model: file, ...p }, null, 2) : formatProfile(p, file));
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'convert': await convert(rest); return 0;
      case 'compress': await compress(rest); return 0;
      case 'run': await run(rest); return 0;
      case 'inspect': inspect(rest); return 0;
      case 'profile': await profile(rest); return 0;
      case 'bundle': bundleVerb(rest); return 0;
      case 'export-c': exportCVerb(rest); return 0;
      case '--help': case '-h': case 'help': console.log(USAGE); return 0;
      default: throw new UsageError(verb ? `unknown command '${verb}'\n${USAGE}` : USAGE);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof EwmError || e instanceof ConvertError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    console.error(`error: internal error: ${(e as Error).message ?? String(e)} (please report this)`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
