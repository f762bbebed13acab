/**
 * The HTML report that the trust commands (attack, explain, calibrate, shift) write next to a model:
 * `<model-dir>/trust-report.html`, one section per command, rebuilt from `<model-dir>/trust-report.json` each
 * time a command runs, so the sections of earlier runs stay. Charts are inline SVG: the file needs nothing else
 * (PNG images are referenced by their file names in the same folder).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/files.js';

/** A table as printed in the terminal. */
export interface ReportTable {
  caption: string;
  header: string[];
  rows: (string | number)[][];
}

/** A line chart: one polyline per series. */
export interface ReportChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; points: [number, number][] }[];
  /** Fixed axis ranges (default: the data's). */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Draw the diagonal y = x (a reliability diagram's perfect calibration). */
  diagonal?: boolean;
}

export interface ReportSection {
  /** 'attack', 'explain', 'calibrate' or 'shift'. */
  key: string;
  title: string;
  /** The command line that produced it. */
  command: string;
  /** One paragraph of plain text: what the figures say. */
  summary?: string;
  tables: ReportTable[];
  charts?: ReportChart[];
  /** PNG files in the model folder, with a caption. */
  images?: { file: string; caption: string }[];
  /** When it was written (ISO 8601). */
  written?: string;
}

const ORDER = ['attack', 'explain', 'calibrate', 'shift'];
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// null: a NaN that went through JSON.
const fmt = (v: string | number | null): string =>
  typeof v === 'number' ? (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : 'n/a') : v === null ? 'n/a' : String(v);

function tableHtml(t: ReportTable): string {
  const head = t.header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(fmt(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table><caption>${esc(t.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A line chart as an inline SVG, 520×320, with ticks at 5 steps and a legend. */
export function chartSvg(c: ReportChart): string {
  const W = 520;
  const H = 320;
  const m = { l: 56, r: 150, t: 28, b: 44 };
  const pts = c.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const span = (vals: number[], fixed?: [number, number]): [number, number] => {
    if (fixed) return fixed;
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
  };
  const [x0, x1] = span(pts.map((p) => p[0]), c.xRange);
  const [y0, y1] = span(pts.map((p) => p[1]), c.yRange);
  const sx = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-size="11" font-family="sans-serif">`];
  parts.push(`<text x="${m.l}" y="16" font-size="13" font-weight="bold">${esc(c.title)}</text>`);
  for (let k = 0; k <= 5; k++) {
    const xv = x0 + ((x1 - x0) * k) / 5;
    const yv = y0 + ((y1 - y0) * k) / 5;
    parts.push(`<line x1="${sx(xv)}" y1="${H - m.b}" x2="${sx(xv)}" y2="${H - m.b + 4}" stroke="#333"/>`);
    parts.push(`<text x="${sx(xv)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(xv)}</text>`);
    parts.push(`<line x1="${m.l}" y1="${sy(yv)}" x2="${W - m.r}" y2="${sy(yv)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${sy(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  if (c.diagonal) {
    const a = Math.max(x0, y0);
    const b = Math.min(x1, y1);
    parts.push(`<line x1="${sx(a)}" y1="${sy(a)}" x2="${sx(b)}" y2="${sy(b)}" stroke="#999" stroke-dasharray="4 3"/>`);
  }
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const ok = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const polyline = ok.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${polyline}"/>`);
    for (const [x, y] of ok) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(`<rect x="${W - m.r + 12}" y="${m.t + 16 * i}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${W - m.r + 27}" y="${m.t + 9 + 16 * i}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function sectionHtml(s: ReportSection): string {
  return [
    `<section id="${esc(s.key)}">`,
    `<h2>${esc(s.title)}</h2>`,
    `<p class="cmd"><code>${esc(s.command)}</code>${s.written ? ` · ${esc(s.written)}` : ''}</p>`,
    s.summary ? `<p>${esc(s.summary)}</p>` : '',
    ...s.tables.map(tableHtml),
    ...(s.charts ?? []).map((c) => `<figure>${chartSvg(c)}</figure>`),
    ...(s.images ?? []).map((im) => `<figure><img src="${esc(im.file)}" alt="${esc(im.caption)}">` +
      `<figcaption>${esc(im.caption)}</figcaption></figure>`),
    '</section>',
  ].join('\n');
}

/** The whole page for a model folder's sections. */
export function reportHtml(modelDir: string, sections: ReportSection[]): string {
  const sorted = [...sections].sort((a, b) => (ORDER.indexOf(a.key) + 1 || 99) - (ORDER.indexOf(b.key) + 1 || 99));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trust report: ${esc(modelDir)}</title>
<style>
body { font-family: sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; } th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; } .cmd { color: #555; } figure { display: inline-block; margin: 0.5em; }
img { image-rendering: pixelated; border: 1px solid #ccc; }
</style></head><body>
<h1>Trust report: ${esc(modelDir)}</h1>
<p>Written by the <code>backprop attack | explain | calibrate | shift</code> commands; each run replaces its own section.</p>
${sorted.map(sectionHtml).join('\n')}
</body></html>
`;
}

/** Adds (or replaces) one section of `<modelDir>/trust-report.{json,html}`; returns the HTML file's path. */
export async function writeTrustReport(modelDir: string, section: ReportSection): Promise<string> {
  const jsonPath = join(modelDir, 'trust-report.json');
  let sections: ReportSection[] = [];
  try {
    sections = (JSON.parse(await readFile(jsonPath, 'utf8')) as { sections: ReportSection[] }).sections ?? [];
  } catch {
    sections = []; // no report yet, or an unreadable one: start afresh
  }
  const entry = { ...section, written: section.written ?? new Date().toISOString() };
  sections = [...sections.filter((s) => s.key !== section.key), entry];
  await writeFileAtomic(jsonPath, `${JSON.stringify({ sections }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  const htmlPath = join(modelDir, 'trust-report.html');
  await writeFileAtomic(htmlPath, reportHtml(modelDir, sections));
  return htmlPath;
}
