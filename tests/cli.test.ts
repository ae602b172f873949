// The CLI end to end, as a user runs it: convert the MLPerf Tiny int8 models, run the golden inputs
// through `edgewasm run --output`, compare every byte; `inspect` and `profile` show every op; and every
// user mistake gets `error: …`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, GOLDEN, MLPERF, INT8_MODELS, mlperfCase, selected, compareBytes } from './golden.js';

const CLI = join(ROOT, 'dist', 'host', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'edgewasm-cli-'));

function edgewasm(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function noTrace(stderr: string) {
  assert.doesNotMatch(stderr, /\n\s+at /, `stack trace on stderr:\n${stderr}`);
}

for (const name of INT8_MODELS.filter(selected)) {
  test(`cli: convert and run ${name}, every output byte equals the golden`, () => {
    const c = mlperfCase(name);
    const ewm = join(work, `${name}.ewm`);
    const conv = edgewasm('convert', c.tflitePath, '-o', ewm);
    assert.equal(conv.code, 0, conv.stderr);
    assert.match(conv.stdout, /arena [\d,]+ bytes/);
    const out = join(work, `${name}.out.bin`);
    const meta = JSON.parse(readFileSync(join(GOLDEN, `${name}.json`), 'utf8'));
    for (const build of ['simd', 'mvp']) {
      const r = edgewasm('run', ewm, '--input', join(GOLDEN, meta.files.inputs), '--output', out, '--build', build, '--force');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(compareBytes(`${name} (${build})`, c.output.data, new Uint8Array(readFileSync(out))), '');
    }
  });
}

test('cli: run without --output prints each sample\'s top classes', () => {
  const c = mlperfCase('kws_ref_model');
  const ewm = join(work, 'kws-top.ewm');
  assert.equal(edgewasm('convert', c.tflitePath, '-o', ewm).code, 0);
  const r = edgewasm('run', ewm, '-i', join(GOLDEN, 'kws_ref_model.inputs.bin'), '--top', '2');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 16);
  const argmax = JSON.parse(readFileSync(join(GOLDEN, 'kws_ref_model.json'), 'utf8')).argmax as number[];
  lines.forEach((line, i) => assert.match(line, new RegExp(`^sample ${i}: ${argmax[i]} \\(`), line));
});

test('cli: inspect shows ops, MACs and the arena for .tflite and .ewm', () => {
  const tflite = join(MLPERF, 'kws_ref_model.tflite');
  const r = edgewasm('inspect', tflite);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /CONV_2D/);
  assert.match(r.stdout, /DEPTHWISE_CONV_2D/);
  assert.match(r.stdout, /arena: [\d,]+ bytes \(activations without reuse: [\d,]+ bytes\)/);
  // MLPerf's README: KWS is 2.66 M MACs per inference.
  const macs = Number(/total: ([\d,]+) MACs/.exec(r.stdout)![1]!.replace(/,/g, ''));
  assert.ok(Math.abs(macs - 2.66e6) < 0.01e6, `KWS MACs ${macs}`);
  const ewm = join(work, 'kws-inspect.ewm');
  assert.equal(edgewasm('convert', tflite, '-o', ewm).code, 0);
  const e = edgewasm('inspect', ewm);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /\.ewm version 1/);
});

// The ops of a model as `inspect` prints them: its table rows' op names and MACs (the column
// before the parameter bytes), so profile is checked against another verb, not against itself.
function inspectOps(model: string): { op: string; macs: number }[] {
  const r = edgewasm('inspect', model);
  assert.equal(r.code, 0, r.stderr);
  const ops = r.stdout.split('\n').filter((line) => /^\d+\s+[A-Z]/.test(line)).map((line) => {
    const fields = line.trim().split(/\s+/);
    return { op: fields[1]!, macs: Number(fields[fields.length - 2]!.replace(/,/g, '')) };
  });
  assert.equal(ops.length, Number(/, (\d+) ops\n/.exec(r.stdout)![1]), 'inspect table rows vs its op count');
  return ops;
}

// Few rounds keep these fast; the figures are only checked for shape, not speed.
test('cli: profile prints one row per op and a totals line, for .tflite and .ewm', () => {
  const tflite = join(MLPERF, 'ad01_int8.tflite');
  const ewm = join(work, 'ad01-profile.ewm');
  assert.equal(edgewasm('convert', tflite, '-o', ewm).code, 0);
  const ops = inspectOps(tflite);
  for (const model of [tflite, ewm]) {
    const r = edgewasm('profile', model, '--rounds', '3');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ad01[-_][a-z0-9]+\.(tflite|ewm): (simd|mvp) build, median of 3 runs per op\n/);
    const rows = r.stdout.split('\n').filter((line) => /^\d+\s+[A-Z]/.test(line));
    assert.equal(rows.length, ops.length, `${model}: profile rows\n${r.stdout}`);
    rows.forEach((row, i) => assert.match(row, new RegExp(`^${i}\\s+${ops[i]!.op}\\s`), row));
    assert.match(r.stdout, /\nops: \d+\.\d{3} ms in all, [\d.]* GMAC\/s; whole runs: \d+\.\d{3} ms \(median\)\n$/);
  }
});

test('cli: profile --json gives each op its ms and inspect\'s MACs, and the build asked for', () => {
  const tflite = join(MLPERF, 'ad01_int8.tflite');
  const ops = inspectOps(tflite);
  for (const build of ['simd', 'mvp']) {
    const r = edgewasm('profile', tflite, '--rounds', '3', '--json', '--build', build);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as { model: string; build: string; rounds: number; totalMs: number; rows: { index: number; op: string; macs: number; ms: number }[] };
    assert.equal(p.model, 'ad01_int8.tflite');
    assert.equal(p.build, build);
    assert.equal(p.rounds, 3);
    assert.ok(Number.isFinite(p.totalMs) && p.totalMs > 0, `totalMs ${p.totalMs}`);
    assert.equal(p.rows.length, ops.length);
    p.rows.forEach((row, i) => {
      assert.equal(row.index, i);
      assert.equal(row.op, ops[i]!.op);
      assert.equal(row.macs, ops[i]!.macs, `${build} op ${i} MACs`);
      assert.ok(typeof row.ms === 'number' && Number.isFinite(row.ms) && row.ms >= 0, `${build} op ${i}: ms ${row.ms}`);
    });
  }
});

test('cli: profile names a bad flag value (exit 2) and a missing file (exit 1)', () => {
  const tflite = join(MLPERF, 'ad01_int8.tflite');
  const usage: [string[], RegExp][] = [
    [['--rounds', '0'], /--rounds 0: expected a positive integer/],
    [['--rounds', 'x'], /--rounds x: expected a positive integer/],
    [['--build', 'foo'], /--build foo: expected one of simd, mvp/],
  ];
  for (const [flags, message] of usage) {
    const r = edgewasm('profile', tflite, ...flags);
    assert.equal(r.code, 2, `${flags.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage: edgewasm profile/);
    noTrace(r.stderr);
  }
  const missing = edgewasm('profile', join(work, 'missing.ewm'), '--rounds', '3');
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /^error: cannot read .*missing\.ewm: ENOENT: no such file or directory\n$/);
  noTrace(missing.stderr);
});

test('cli: user mistakes end in one error line, exit 1, no stack trace, no partial file', () => {
  const ewm = join(work, 'kws-err.ewm');
  assert.equal(edgewasm('convert', join(MLPERF, 'kws_ref_model.tflite'), '-o', ewm).code, 0);
  const cases: [string[], RegExp][] = [
    [['run', join(work, 'missing.ewm'), '-i', ewm], /error: cannot read .*missing\.ewm: ENOENT/],
    [['convert', join(work, 'missing.tflite'), '-o', join(work, 'x.ewm')], /error: cannot read .*missing\.tflite: ENOENT/],
    [['run', ewm, '-i', join(GOLDEN, 'ad01_int8.inputs.bin')], /error: .*ad01_int8\.inputs\.bin: 10240 bytes is not a whole number of samples of input 'input_1' \(int8\[1,49,10,1\], 490 bytes each\)/],
    [['convert', join(MLPERF, 'kws_ref_model.tflite'), '-o', ewm], /error: .*kws-err\.ewm exists; pass --force/],
    [['run', join(GOLDEN, 'kws_ref_model.inputs.bin'), '-i', ewm], /error: kws_ref_model\.inputs\.bin: magic 0x[0-9a-f]{8}, expected 0x304d5745/],
    [['convert', join(MLPERF, 'kws_ref_model_float32.tflite'), '-o', join(work, 'f.ewm')], /error: kws_ref_model_float32\.tflite: a float model: quantizing it to int8 needs calibration samples/],
  ];
  for (const [args, message] of cases) {
    const r = edgewasm(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message);
    noTrace(r.stderr);
  }
  assert.ok(!existsSync(join(work, 'f.ewm')), 'a refused conversion left an output file');
  assert.deepEqual(readdirSync(work).filter((f) => f.endsWith('.tmp')), [], 'temporary files left behind');
});

test('cli: usage mistakes exit 2 with the usage', () => {
  for (const args of [[], ['frobnicate'], ['convert', 'a.tflite'], ['run', 'm.ewm'], ['convert', '--bogus', 'a', '-o', 'b'], ['run', 'm.ewm', '-i', 'x', '--build', 'gpu']]) {
    const r = edgewasm(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, /usage: edgewasm/);
    noTrace(r.stderr);
  }
  const help = edgewasm('convert', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: edgewasm convert/);
});

test('cli: a truncated .ewm is refused with the file and field named', () => {
  const ewm = join(work, 'kws-trunc.ewm');
  assert.equal(edgewasm('convert', join(MLPERF, 'kws_ref_model.tflite'), '-o', ewm).code, 0);
  const bytes = readFileSync(ewm);
  writeFileSync(ewm, bytes.subarray(0, bytes.length - 100));
  const r = edgewasm('inspect', ewm);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`error: kws-trunc\\.ewm: file_size ${bytes.length}, but the file has ${bytes.length - 100} bytes \\(truncated\\)`));
});

test('cli: a full disk (here a file-size limit), a directory for a file, and a memory cap each get one clear error line', () => {
  const ewm = join(work, 'kws-limits.ewm');
  assert.equal(edgewasm('convert', join(MLPERF, 'kws_ref_model.tflite'), '-o', ewm).code, 0);
  // RLIMIT_FSIZE makes the write fail part-way (EFBIG), as a full disk does (ENOSPC): no file stays.
  const big = join(work, 'too-big.ewm');
  const r = spawnSync('bash', ['-c', `ulimit -f 8 && exec "${process.execPath}" "${CLI}" convert "${join(MLPERF, 'kws_ref_model.tflite')}" -o "${big}"`], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^error: cannot write .*too-big\.ewm: EFBIG: file too large\n$/);
  assert.ok(!existsSync(big), 'a failed write left the output file');
  assert.deepEqual(readdirSync(work).filter((f) => f.endsWith('.tmp')), [], 'a failed write left its temporary file');

  const dir = edgewasm('run', work, '-i', ewm);
  assert.equal(dir.code, 1);
  assert.match(dir.stderr, /^error: cannot read .*: EISDIR: illegal operation on a directory\n$/);

  const input = join(work, 'kws-limits.in.bin');
  writeFileSync(input, new Uint8Array(490));
  const capped = edgewasm('run', ewm, '-i', input, '--max-memory', '0.02');
  assert.equal(capped.code, 1);
  assert.match(capped.stderr, /^error: kws-limits\.ewm: needs \d+ bytes of memory \(model \d+ \+ arena \d+\), over the cap of 20971 bytes \(maxMemory, --max-memory\)\n$/);
  assert.equal(edgewasm('run', ewm, '-i', input, '--max-memory', '1').code, 0);
  for (const bad of ['0', '100000', 'lots']) {
    const u = edgewasm('profile', ewm, '--max-memory', bad);
    assert.equal(u.code, 2, `--max-memory ${bad}`);
    assert.match(u.stderr, new RegExp(`^--max-memory ${bad}: expected MiB in \\(0, 65536\\]`));
  }
  for (const x of [r.stderr, dir.stderr, capped.stderr]) noTrace(x);
});
