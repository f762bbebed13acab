/**
 * `npm run bench`: the peers' workloads (W1 MLP, W2 CNN, W3 tiny, W4 softmax regression) in Backprop and in
 * TensorFlow.js (cpu, wasm) and PyTorch (when a Python with torch is on the machine), each run in its own process,
 * repetitions interleaved, medians reported, then a markdown table of throughput, peak RSS and Backprop ÷ peer.
 *
 *   npm run bench -- [--workloads mlp,cnn,tiny,logreg] [--reps 3] [--quick] [--backend js,native]
 *                    [--only backprop,tfjs-cpu,tfjs-wasm,torch] [--fit] [--md FILE] [--peers DIR] [--python PATH]
 *
 * The peers' harness (../shared/bench/peers beside the repository, or --peers / BACKPROP_PEERS_DIR) supplies the
 * data (prepare_data.js → bench/.data/) and the peer scripts, copied to bench/.peers/ and run from there with
 * NODE_PATH at this repository's node_modules. Nothing is downloaded.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './anchors.js';
import { type Job, type RunRecord, type Env, renderReport } from './report.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const DATA = join(BENCH, '.data');
const COPY = join(BENCH, '.peers');
const PEER_FILES = ['prepare_data.js', 'anchors_data.js', 'anchors_data.py', 'bench_tfjs.js', 'bench_torch.py', 'bench_gemm.py'];
const WORKLOADS = ['mlp', 'cnn', 'tiny', 'logreg'];
const ALIASES: Record<string, string> = { w1: 'mlp', w2: 'cnn', w3: 'tiny', w4: 'logreg' };

const USAGE = `usage: npm run bench -- [options]
  --workloads LIST  mlp,cnn,tiny,logreg (or w1..w4; default all)
  --reps N          repetitions per job, interleaved (default 3)
  --quick           fewer epochs/batches/steps: a smoke run, not a measurement
  --backend LIST    Backprop's kernel backends to run: js, native, or js,native (default: the one Backprop
                    picks, i.e. BACKPROP_BACKEND, else native when its addon is built, else js)
  --only LIST       job-id prefixes to run: backprop, tfjs-cpu, tfjs-wasm, torch (default all)
  --fit             also run Backprop through fit() (default: a plain training loop only)
  --md FILE         also write the report to FILE
  --peers DIR       the peers' harness (default ../shared/bench/peers, or BACKPROP_PEERS_DIR)
  --python PATH     Python with torch (default /usr/bin/python3, else python3)
  --timeout S       per-run limit in seconds (default 1800)`;

/** Threads every library in the child may use, pinned through the usual variables. */
function threadEnv(n: number): Record<string, string> {
  const s = String(n);
  return { BACKPROP_NUM_THREADS: s, OMP_NUM_THREADS: s, OPENBLAS_NUM_THREADS: s, MKL_NUM_THREADS: s };
}

/** Per-workload arguments that shorten a run in --quick mode (the same for every framework that takes them). */
function quickArgs(w: string, quick: boolean, maxBatches: boolean): string[] {
  if (!quick) return [];
  if (w === 'tiny') return ['--steps', '100'];
  const nb = { mlp: '10', cnn: '4', logreg: '25' }[w] ?? '10';
  return ['--epochs', '2', ...(maxBatches ? ['--max-batches', nb] : [])];
}

/** Copies the peer scripts next to a data link and runs prepare_data.js once. */
function preparePeers(peers: string): void {
  mkdirSync(COPY, { recursive: true });
  mkdirSync(DATA, { recursive: true });
  for (const f of PEER_FILES) {
    const dst = join(COPY, f);
    rmSync(dst, { force: true }); // the shared copies are read-only
    copyFileSync(join(peers, f), dst);
  }
  // this repository is an ES module package; the peer scripts are CommonJS
  writeFileSync(join(COPY, 'package.json'), '{ "type": "commonjs" }\n');
  // prepare_data.js writes next to itself (data/): point that at bench/.data
  const link = join(COPY, 'data');
  let isLink = false;
  try { isLink = lstatSync(link).isSymbolicLink(); } catch { /* absent */ }
  if (!isLink) {
    rmSync(link, { recursive: true, force: true });
    symlinkSync('../.data', link, 'dir');
  }
  // peak RSS of Node children when /usr/bin/time -v is missing
  writeFileSync(join(COPY, 'maxrss.cjs'), "process.on('exit', () => process.stderr.write('\\nBENCH_MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n");
  // prepare once per version of prepare_data.js (its output is deterministic)
  const stamp = join(DATA, 'prepare_data.sha256');
  const sha = createHash('sha256').update(readFileSync(join(peers, 'prepare_data.js'))).digest('hex');
  if (!existsSync(join(DATA, 'meta.json')) || !existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== sha) {
    console.log('preparing data: node prepare_data.js → bench/.data/');
    const p = spawnSync(process.execPath, ['prepare_data.js'], { cwd: COPY, env: nodeEnv(), encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`bench: prepare_data.js failed (exit ${p.status}):\n${p.stdout}${p.stderr}`);
    process.stdout.write(p.stdout);
    writeFileSync(stamp, sha + '\n');
  }
}

function nodeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), ...extra };
}

/** Whether `/usr/bin/time -v` works (GNU time; BusyBox's has no -v). */
function hasGnuTime(): boolean {
  if (!existsSync('/usr/bin/time')) return false;
  const p = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
  return p.status === 0 && /Maximum resident set size/.test(p.stderr);
}

/** TF.js's version if this repository's node_modules has it (with the wasm backend), else why not. */
function probeTfjs(): { version: string | null; why: string } {
  const req = createRequire(join(ROOT, 'package.json'));
  try {
    req.resolve('@tensorflow/tfjs-backend-wasm');
    const pkg = JSON.parse(readFileSync(req.resolve('@tensorflow/tfjs/package.json'), 'utf8')) as { version: string };
    return { version: pkg.version, why: '' };
  } catch (e) {
    return { version: null, why: `@tensorflow/tfjs or tfjs-backend-wasm not installed (${(e as Error).message.split('\n')[0]})` };
  }
}

/**
 * Backprop's backends and layers, asked of a child process (loading the library here would start the native
 * thread pool in the process that waits for the benchmarks).
 */
function probeBackprop(): { backend: string; available: string[]; reason: string; conv: boolean } {
  const p = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH, 'backprop_bench.ts'), '--probe'], { cwd: ROOT, env: nodeEnv(), encoding: 'utf8' });
  const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith('PROBE '));
  if (!line) throw new Error(`bench: cannot load Backprop (exit ${p.status}):\n${p.stdout}${p.stderr}`);
  return JSON.parse(line.slice(6)) as { backend: string; available: string[]; reason: string; conv: boolean };
}

/** torch's version through the given Python, or why it cannot be used. */
function probeTorch(python: string): { version: string | null; why: string } {
  const p = spawnSync(python, ['-c', 'import numpy, torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (p.error) return { version: null, why: `${python}: ${p.error.message}` };
  if (p.status !== 0) {
    const last = (p.stderr || '').trim().split('\n').pop() ?? '';
    return { version: null, why: `${python} -c 'import numpy, torch' failed: ${last}` };
  }
  return { version: p.stdout.trim(), why: '' };
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /^model name\s*:\s*(.*)$/m.exec(info);
    const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
    const simd = ['avx2', 'fma', 'avx512f'].filter((f) => flags.has(f));
    if (m) return `${m[1].trim()}${simd.length > 0 ? ` (${simd.join(', ')})` : ''}`;
  } catch { /* not Linux */ }
  return cpus()[0]?.model ?? 'unknown';
}

/** Busy CPU seconds of the whole machine so far (Linux), to see how much other processes ran during a job. */
function busySeconds(): number | null {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return (total - v[3] - v[4]) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function parseTime(stderr: string): { rssKb: number | null; cpuS: number | null } {
  const num = (re: RegExp): number | null => {
    const m = re.exec(stderr);
    return m ? Number(m[1]) : null;
  };
  const rss = num(/Maximum resident set size \(kbytes\): (\d+)/) ?? num(/BENCH_MAXRSS_KB (\d+)/);
  const user = num(/User time \(seconds\): ([\d.]+)/);
  const sys = num(/System time \(seconds\): ([\d.]+)/);
  return { rssKb: rss, cpuS: user === null || sys === null ? null : user + sys };
}

/**
 * Backprop's side compiled to plain JavaScript, as an installed package runs (from dist/): backprop_bench.ts and
 * the library bundled by esbuild into bench/.build/bench/ (three folders below the root, the depth of
 * dist/backend/native/, so the addon's relative path resolves the same), npm packages left as imports. Running it
 * through tsx instead would add tsx's transpiler (~35 MB RSS, slower start) to Backprop's figures only.
 * Falls back to tsx, saying so, when esbuild is missing.
 */
function compileBackpropBench(): { argv: string[]; how: string } {
  const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
  const out = join(BENCH, '.build', 'bench', 'backprop_bench.mjs');
  const tsx = { argv: [process.execPath, '--import', 'tsx', join(BENCH, 'backprop_bench.ts')], how: 'run through tsx (esbuild not found, so not compiled)' };
  if (!existsSync(esbuild)) return tsx;
  const p = spawnSync(esbuild, [join(BENCH, 'backprop_bench.ts'), '--bundle', '--packages=external', '--platform=node', '--format=esm',
    '--target=node20', `--outfile=${out}`, '--log-level=error'], { cwd: ROOT, encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`bench: compiling bench/backprop_bench.ts with esbuild failed: ${(p.stderr || p.stdout).trim()}`);
  return { argv: [process.execPath, out], how: 'compiled to JavaScript (esbuild bundle in bench/.build, npm packages external), as an installed package runs' };
}

/** Every (job, workload) to run, and the ones skipped with the reason. */
function planJobs(o: {
  workloads: string[]; quick: boolean; backends: string[]; fit: boolean; threads: number; python: string;
  tfjs: boolean; torch: boolean; convOk: boolean; backpropArgv: string[];
}): { jobs: Job[]; skipped: string[] } {
  const jobs: Job[] = [];
  const skipped: string[] = [];
  const node = process.execPath;
  const bp = (b: string, threads: number, fitMode: boolean, w: string): Job => ({
    id: `backprop-${b}${fitMode ? '-fit' : ''}-${threads}t`, label: `Backprop ${b} ${threads}T${fitMode ? ', fit()' : ''}`, workload: w, kind: 'backprop', cwd: ROOT,
    argv: [...o.backpropArgv, '--workload', w, '--data', DATA, '--backend', b,
      ...quickArgs(w, o.quick, true), ...(fitMode ? ['--mode', 'fit'] : [])],
    env: { ...threadEnv(threads), BACKPROP_BACKEND: b },
  });
  if (o.threads > 1 && o.backends.includes('js')) skipped.push(`Backprop js ${o.threads}T: the js backend is single-threaded; its ${o.threads}-thread run would repeat the 1T one`);
  for (const w of o.workloads) {
    if (w === 'cnn' && !o.convOk) {
      skipped.push('W2: conv layers not available (nn.Conv2d / nn.MaxPool2d missing from Backprop); W2 skipped for every framework');
      continue;
    }
    for (const b of o.backends) {
      jobs.push(bp(b, 1, false, w));
      if (o.threads > 1 && b !== 'js') jobs.push(bp(b, o.threads, false, w));
      if (o.fit) jobs.push(bp(b, 1, true, w));
    }
    if (o.tfjs) {
      const tf = (b: string, extra: string[]): Job => ({
        id: `tfjs-${b}`, label: `TF.js ${b}`, workload: w, kind: 'peer', cwd: COPY,
        argv: [node, '-r', './maxrss.cjs', 'bench_tfjs.js', '--backend', b, '--workload', w, ...extra],
        env: threadEnv(1),
      });
      // tfjs-cpu's conv kernels take ~18 min per W2 epoch: probe 8 batches per epoch, as the peers' runner does
      if (w === 'cnn') jobs.push({ ...tf('cpu', ['--epochs', '2', '--max-batches', o.quick ? '4' : '8']), note: 'throughput probe: 8 batches/epoch; accuracy not meaningful' });
      else jobs.push(tf('cpu', quickArgs(w, o.quick, true)));
      if (w === 'cnn') skipped.push("W2 TF.js wasm: tfjs-backend-wasm 4.22 has no 'Conv2DBackpropFilter' kernel, so CNN training cannot run on it");
      else jobs.push(tf('wasm', quickArgs(w, o.quick, true)));
    }
    if (o.torch) {
      const th = (t: number): Job => ({
        id: `torch-${t}t`, label: `PyTorch ${t}T`, workload: w, kind: 'peer', cwd: COPY,
        argv: [o.python, 'bench_torch.py', '--workload', w, '--threads', String(t), ...quickArgs(w, o.quick, false)],
        // OpenMP spin-waiting on a few cores makes multi-threaded small batches slower than one thread (peers' README)
        env: { ...threadEnv(t), ...(t > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}) },
        note: [t > 1 ? 'OMP_WAIT_POLICY=PASSIVE' : '', o.quick ? 'full epochs (bench_torch.py has no --max-batches)' : ''].filter(Boolean).join('; ') || undefined,
      });
      jobs.push(th(1));
      if (o.threads > 1) jobs.push(th(o.threads));
    }
  }
  return { jobs, skipped };
}

/** Runs one job in its own process and reads its RESULT line and resource use. */
function runJob(job: Job, rep: number, gnuTime: boolean, timeoutS: number): RunRecord {
  const argv = gnuTime ? ['/usr/bin/time', '-v', ...job.argv] : job.argv;
  const b0 = busySeconds();
  const t0 = performance.now();
  const p = spawnSync(argv[0], argv.slice(1), {
    cwd: job.cwd, env: nodeEnv(job.env), encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 << 20,
  });
  const wall = (performance.now() - t0) / 1000;
  const b1 = busySeconds();
  const out = p.stdout ?? '';
  const err = p.stderr ?? '';
  let result: Record<string, unknown> | null = null;
  for (const line of out.split('\n')) if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7)) as Record<string, unknown>;
  const t = parseTime(err);
  const rssKb = t.rssKb ?? (typeof result?.max_rss_kb === 'number' ? result.max_rss_kb : null);
  const foreign = b0 !== null && b1 !== null && t.cpuS !== null ? Math.max(0, (b1 - b0 - t.cpuS) / wall) : null;
  let error: string | null = null;
  if (p.error) error = p.error.message.includes('ETIMEDOUT') ? `timed out after ${timeoutS} s` : p.error.message;
  else if (typeof result?.error === 'string') error = result.error;
  else if (p.status !== 0 || !result) error = `exit ${p.status}${p.signal ? ` (${p.signal})` : ''}: ${(err || out).trim().split('\n').slice(-3).join(' | ')}`;
  return { job: job.id, label: job.label, workload: job.workload, rep, result, rssKb, wallS: wall, foreignCores: foreign, error };
}

function fmtVal(r: RunRecord): string {
  const v = r.result?.[r.workload === 'tiny' ? 'steps_per_s' : 'samples_per_s'];
  return typeof v === 'number' ? v.toFixed(0) : 'n/a';
}

/** bench/gemm.ts's output (another part of the project), if the file exists. */
function runGemm(): string | null {
  const file = join(BENCH, 'gemm.ts');
  if (!existsSync(file)) return null;
  console.log('sgemm: npx tsx bench/gemm.ts');
  const p = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT, env: nodeEnv(), encoding: 'utf8', timeout: 600_000, maxBuffer: 16 << 20,
  });
  const text = `${p.stdout ?? ''}${p.status === 0 ? '' : `\n(exit ${p.status}${p.error ? `: ${p.error.message}` : ''})\n${p.stderr ?? ''}`}`.trim();
  return text.split('\n').slice(-40).join('\n');
}

/** PyTorch's sgemm GFLOP/s at 1 thread (peers' bench_gemm.py), for comparison with bench/gemm.ts. */
function runTorchGemm(python: string): string | null {
  const p = spawnSync(python, ['bench_gemm.py', '--lib', 'torch', '--threads', '1', '--sizes', '256,512,1024'], {
    cwd: COPY, env: nodeEnv(threadEnv(1)), encoding: 'utf8', timeout: 300_000,
  });
  const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) return null;
  const r = JSON.parse(line.slice(7)) as { version: string; results: Record<string, { gflops_median: number; gflops_best: number }> };
  return Object.entries(r.results).map(([n, v]) => `PyTorch ${r.version} 1T sgemm ${n}³: ${v.gflops_median.toFixed(1)} GFLOP/s median (best ${v.gflops_best.toFixed(1)})`).join('\n');
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.help) { console.log(USAGE); return; }
  const known = new Set(['workloads', 'reps', 'quick', 'backend', 'only', 'fit', 'md', 'peers', 'python', 'timeout', 'help']);
  const unknown = Object.keys(a).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`bench: unknown option --${unknown.join(', --')}\n${USAGE}`);
  const workloads = (a.workloads ?? WORKLOADS.join(',')).split(',').filter(Boolean).map((w) => ALIASES[w.toLowerCase()] ?? w.toLowerCase());
  const bad = workloads.filter((w) => !WORKLOADS.includes(w));
  if (bad.length > 0) throw new Error(`bench: unknown workload ${bad.join(', ')}; expected ${WORKLOADS.join(', ')} (or w1..w4)`);
  const reps = Number(a.reps ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`bench: --reps must be a positive integer, got ${a.reps}`);
  const timeoutS = Number(a.timeout ?? 1800);
  const quick = a.quick === 'true';
  const only = (a.only ?? '').split(',').filter(Boolean);
  const selected = (id: string): boolean => only.length === 0 || only.some((o) => id.startsWith(o));
  const peers = resolve(a.peers ?? process.env.BACKPROP_PEERS_DIR ?? join(ROOT, '..', 'shared', 'bench', 'peers'));
  if (!existsSync(join(peers, 'prepare_data.js'))) {
    throw new Error(`bench: the peers' harness is not at ${peers} (no prepare_data.js); pass --peers DIR or set BACKPROP_PEERS_DIR`);
  }
  const python = a.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

  preparePeers(peers);
  const tfjs = probeTfjs();
  const torch = probeTorch(python);
  const bp = probeBackprop();
  const wanted = a.backend === 'all' ? bp.available : (a.backend ?? bp.backend).split(',').filter(Boolean);
  const backends = wanted.filter((b) => bp.available.includes(b));
  const missingBackends = wanted.filter((b) => !bp.available.includes(b));
  if (backends.length === 0) throw new Error(`bench: backend ${wanted.join(', ')} not available (${bp.reason}); available: ${bp.available.join(', ')}`);
  const gnuTime = hasGnuTime();
  const threads = cpus().length;
  const compiled = compileBackpropBench();
  const plan = planJobs({
    workloads, quick, backends, fit: a.fit === 'true', threads, python, tfjs: tfjs.version !== null, torch: torch.version !== null,
    convOk: bp.conv === true, backpropArgv: compiled.argv,
  });
  const jobs = plan.jobs.filter((j) => selected(j.id));
  for (const b of missingBackends) plan.skipped.push(`Backprop ${b}: not available (${bp.reason}; available: ${bp.available.join(', ')})`);
  const env: Env = {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    cpu: cpuModel(), cores: threads, node: process.version, backends, quick, reps, backpropHow: compiled.how,
    tfjs: tfjs.version ? `TF.js ${tfjs.version}` : `TF.js: not available (${tfjs.why})`,
    torch: torch.version ? `PyTorch ${torch.version} (${python})` : `PyTorch: not available (${torch.why})`,
    rss: gnuTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS of each Node child; n/a for Python',
    skipped: plan.skipped,
  };
  console.log(`${env.cpu}, ${threads} cores, Node ${env.node}; ${env.tfjs}; ${env.torch}; Backprop ${compiled.how}`);
  for (const s of plan.skipped) console.log(`skip: ${s}`);
  console.log(`${jobs.length} jobs × ${reps} reps${quick ? ' (quick)' : ''}`);

  const records: RunRecord[] = [];
  const log = join(DATA, 'runs.jsonl');
  for (let rep = 1; rep <= reps; rep++) {
    for (const job of jobs) {
      const r = runJob(job, rep, gnuTime, timeoutS);
      records.push(r);
      appendFileSync(log, JSON.stringify({ time: new Date().toISOString(), quick, ...r }) + '\n');
      const rss = r.rssKb === null ? 'n/a' : `${(r.rssKb / 1024).toFixed(0)} MB`;
      const load = r.foreignCores === null ? '' : ` other load ${r.foreignCores.toFixed(2)}`;
      console.log(`[rep ${rep}] ${job.id.padEnd(16)} ${job.workload.padEnd(6)} ${r.error ? `FAILED: ${r.error}` : `${fmtVal(r)}/s`} rss ${rss} wall ${r.wallS.toFixed(1)} s${load}`);
    }
  }
  const gemm = selected('backprop') ? runGemm() : null;
  const torchGemm = torch.version && selected('torch') ? runTorchGemm(python) : null;
  const md = renderReport(env, jobs, records, gemm, torchGemm);
  console.log('\n' + md);
  if (a.md) {
    writeFileSync(resolve(a.md), md);
    console.log(`written to ${a.md}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
