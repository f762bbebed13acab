/** The markdown report of `npm run bench`: medians over repetitions, ratios Backprop ÷ peer. */
import { median } from './anchors.js';

/** One benchmark process to run (a framework on a workload). */
export interface Job {
  id: string;
  label: string;
  workload: string;
  kind: 'backprop' | 'peer';
  cwd: string;
  argv: string[];
  env: Record<string, string>;
  note?: string | undefined;
}

/** One run of a job: its RESULT line and what the process cost. */
export interface RunRecord {
  job: string;
  label: string;
  workload: string;
  rep: number;
  result: Record<string, unknown> | null;
  rssKb: number | null;
  wallS: number;
  /** CPU cores that other processes used during the run, on average (null off Linux). */
  foreignCores: number | null;
  error: string | null;
}

/** The run's setting, printed above the tables. */
export interface Env {
  date: string;
  command: string;
  cpu: string;
  cores: number;
  node: string;
  backends: string[];
  quick: boolean;
  reps: number;
  tfjs: string;
  torch: string;
  rss: string;
  /** How Backprop's side ran: compiled JavaScript, or through tsx. */
  backpropHow: string;
  skipped: string[];
}

const TITLES: Record<string, string> = {
  mlp: 'W1 MLP 784-256-128-10 ReLU (3 epochs, batch 64, SGD lr 0.05 momentum 0.9)',
  cnn: 'W2 LeNet-5-like CNN (2 epochs, batch 64, SGD lr 0.05 momentum 0.9)',
  tiny: 'W3 tiny 2-8-8-1 tanh + sigmoid/BCE, 500 points full batch, SGD lr 0.1, 2000 steps',
  logreg: 'W4 softmax regression 784-10 (3 epochs, batch 64, SGD lr 0.05 momentum 0.9)',
};
const SHORT: Record<string, string> = { mlp: 'W1 MLP', cnn: 'W2 CNN', tiny: 'W3 tiny', logreg: 'W4 softmax reg.' };
const PEERS = ['tfjs-cpu', 'tfjs-wasm', 'torch-1t'];
const PEER_NAMES: Record<string, string> = { 'tfjs-cpu': 'TF.js cpu', 'tfjs-wasm': 'TF.js wasm', 'torch-1t': 'PyTorch 1T' };

/** Medians of one job on one workload over its successful runs. */
interface Summary {
  label: string;
  ok: number;
  total: number;
  speed: number | null;
  min: number | null;
  max: number | null;
  seconds: number | null;
  loss: number | null;
  acc: number | null;
  rssMb: number | null;
  foreign: number | null;
  error: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const med = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length > 0 ? median(v) : null;
};

function summarize(runs: RunRecord[], workload: string): Summary {
  const ok = runs.filter((r) => r.error === null && r.result);
  const key = workload === 'tiny' ? 'steps_per_s' : 'samples_per_s';
  const speeds = ok.map((r) => num(r.result![key])).filter((x): x is number => x !== null);
  const seconds = ok.map((r) => {
    if (workload === 'tiny') return num(r.result!.seconds);
    const e = r.result!.epoch_seconds;
    return Array.isArray(e) && e.length > 0 ? median((e.length > 1 ? e.slice(1) : e) as number[]) : null;
  });
  const loss = ok.map((r) => {
    if (workload === 'tiny') return num(r.result!.final_loss);
    const l = r.result!.epoch_mean_loss;
    return Array.isArray(l) ? num(l[0]) : null;
  });
  const acc = ok.map((r) => num(r.result![workload === 'tiny' ? 'train_acc' : 'test_acc']));
  const foreign = runs.map((r) => r.foreignCores).filter((x): x is number => x !== null);
  return {
    label: runs[0].label, ok: ok.length, total: runs.length,
    speed: speeds.length > 0 ? median(speeds) : null,
    min: speeds.length > 0 ? Math.min(...speeds) : null,
    max: speeds.length > 0 ? Math.max(...speeds) : null,
    seconds: med(seconds), loss: med(loss), acc: med(acc),
    rssMb: med(runs.map((r) => (r.rssKb === null ? null : r.rssKb / 1024))),
    foreign: foreign.length > 0 ? Math.max(...foreign) : null,
    error: runs.find((r) => r.error)?.error ?? null,
  };
}

const fmtSpeed = (v: number | null): string => (v === null ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const fmtRatio = (a: number | null, b: number | null): string => {
  if (a === null || b === null || b === 0) return '—';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)}×`;
};
const fmt = (v: number | null, digits: number): string => (v === null ? 'n/a' : v.toFixed(digits));

/** The whole report: setting, summary table, one table per workload, sgemm, notes. */
export function renderReport(env: Env, jobs: Job[], records: RunRecord[], gemm: string | null, torchGemm: string | null): string {
  const workloads = [...new Set(jobs.map((j) => j.workload))];
  const byKey = new Map<string, RunRecord[]>();
  for (const r of records) {
    const k = `${r.job}|${r.workload}`;
    if (!byKey.has(k)) byKey.set(k, []);
    byKey.get(k)!.push(r);
  }
  const sum = (job: string, w: string): Summary | null => {
    const runs = byKey.get(`${job}|${w}`);
    return runs ? summarize(runs, w) : null;
  };
  const lines: string[] = [];
  lines.push(`# Backprop benchmark${env.quick ? ' (quick smoke run: not a measurement)' : ''}`, '');
  lines.push(`- Date: ${env.date}`);
  lines.push(`- Machine: ${env.cpu}, ${env.cores} cores (nproc), Node ${env.node}`);
  lines.push(`- Backprop backends: ${env.backends.join(', ')}; peers: ${env.tfjs}; ${env.torch}`);
  lines.push(`- Command: \`${env.command}\` (${env.reps} rep${env.reps > 1 ? 's' : ''} per job, interleaved)`);
  lines.push(`- Peak RSS: ${env.rss} (whole process, including the 25 MB data set)`);
  lines.push(`- Backprop: ${env.backpropHow}`);
  lines.push('');
  lines.push('Protocol of ../shared/bench/peers (same data, initial weights, batch order and optimizer in every framework). ' +
    'Backprop runs a plain training loop (indexSelect batch, forward, loss, zeroGrad, backward, SGD step, loss.item()); rows marked fit() run the same through fit(). ' +
    'Throughput = median over reps of the median over epochs 2+ (epoch 1 is warm-up); ratios are Backprop ÷ peer, so > 1× means Backprop is faster ' +
    '(for RSS, > 1× means Backprop uses more memory). "Other load" is the CPU (in cores) that other processes used during a run, from /proc/stat: ' +
    'when it is high the machine was shared and the numbers are noisy.');
  lines.push('');
  lines.push('## Summary (throughput)', '');
  const peerCols = PEERS.filter((p) => jobs.some((j) => j.id === p));
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  lines.push(row(['workload', 'unit', 'Backprop backend', 'Backprop', ...peerCols.map((p) => PEER_NAMES[p]), ...peerCols.map((p) => `Backprop ÷ ${PEER_NAMES[p]}`)]));
  lines.push(row(['---', '---', '---', '---:', ...peerCols.flatMap(() => ['---:', '---:'])]));
  const cell = (s: Summary | null): string => (s === null ? 'not run' : s.speed === null ? 'FAILED' : fmtSpeed(s.speed));
  for (const w of workloads) {
    const peers = peerCols.map((p) => sum(p, w));
    const bpIds = [...new Set(jobs.filter((j) => j.workload === w && j.kind === 'backprop').map((j) => j.id))];
    for (const id of bpIds) {
      const bp = sum(id, w)!;
      lines.push(row([SHORT[w], w === 'tiny' ? 'steps/s' : 'samples/s', bp.label.replace(/^Backprop /, ''), cell(bp),
        ...peers.map(cell), ...peers.map((p) => fmtRatio(bp.speed, p?.speed ?? null))]));
    }
  }
  for (const w of workloads) {
    const wJobs = [...new Set(jobs.filter((j) => j.workload === w).map((j) => j.id))];
    const primary = jobs.find((j) => j.workload === w && j.kind === 'backprop')?.id ?? '';
    const bp = sum(primary, w);
    const bpName = bp?.label ?? 'Backprop';
    const tiny = w === 'tiny';
    lines.push('', `## ${TITLES[w]}`, '');
    lines.push(`| framework | ${tiny ? 'steps/s' : 'samples/s'} (median) | min..max | ${tiny ? 's per run' : 's/epoch'} | ${tiny ? 'final BCE' : 'epoch-1 loss'} | ` +
      `${tiny ? 'train acc' : 'test acc'} | peak RSS MB | ${bpName} speed ÷ this | ${bpName} RSS ÷ this | ok runs | max other load (cores) | notes |`);
    lines.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const id of wJobs) {
      const s = sum(id, w);
      if (!s) continue;
      const job = jobs.find((j) => j.id === id && j.workload === w)!;
      const notes = [job.note, s.error ? `error: ${s.error}` : ''].filter(Boolean).join('; ');
      lines.push(`| ${s.label} | ${s.speed === null ? 'FAILED' : fmtSpeed(s.speed)} | ${s.min === null ? '' : `${fmtSpeed(s.min)}..${fmtSpeed(s.max)}`} | ` +
        `${fmt(s.seconds, 2)} | ${fmt(s.loss, 4)} | ${fmt(s.acc, 4)} | ${fmt(s.rssMb, 0)} | ` +
        `${id === primary ? '' : fmtRatio(bp?.speed ?? null, s.speed)} | ${id === primary ? '' : fmtRatio(bp?.rssMb ?? null, s.rssMb)} | ` +
        `${s.ok}/${s.total} | ${fmt(s.foreign, 2)} | ${notes.replace(/\|/g, '/')} |`);
    }
    const tnt = wJobs.find((id) => /^torch-\d+t$/.test(id) && id !== 'torch-1t');
    const nts = wJobs.filter((id) => /^backprop-\w+-\d+t$/.test(id) && !id.endsWith('-1t'));
    if (tnt) for (const nt of nts) lines.push('', `All cores: ${sum(nt, w)!.label} ÷ ${sum(tnt, w)!.label} = ${fmtRatio(sum(nt, w)!.speed, sum(tnt, w)!.speed)}.`);
  }
  lines.push('', '## sgemm (float32)', '');
  if (gemm !== null) lines.push('`bench/gemm.ts`:', '', '```', gemm, '```');
  else lines.push('Backprop: skipped (bench/gemm.ts does not exist yet).');
  if (torchGemm !== null) lines.push('', '```', torchGemm, '```');
  if (env.skipped.length > 0) {
    lines.push('', '## Not run', '');
    for (const s of env.skipped) lines.push(`- ${s}`);
  }
  return lines.join('\n') + '\n';
}
