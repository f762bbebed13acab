/** Small DOM helpers: elements from a tag and attributes, and labelled form controls. */

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

/** An element with attributes (`class`, `data-*`, `aria-*`, … as given; booleans add or omit) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

let uid = 0;
/** A fresh id for pairing a label with its control. */
export const newId = (prefix: string): string => `${prefix}-${++uid}`;

/** A <select> with a label; `onChange` gets the chosen value. */
export function selectField(
  label: string,
  options: readonly (readonly [string, string])[],
  value: string,
  onChange: (v: string) => void,
  testId?: string,
): { el: HTMLElement; input: HTMLSelectElement } {
  const id = newId('sel');
  const input = h('select', { id, 'data-testid': testId });
  for (const [v, text] of options) input.append(h('option', { value: v }, text));
  input.value = value;
  input.addEventListener('change', () => onChange(input.value));
  return { el: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

/** A range slider with a label and a live <output> of its formatted value. */
export function rangeField(
  label: string,
  o: { min: number; max: number; step: number; value: number; format?: (v: number) => string; testId?: string },
  onChange: (v: number) => void,
): { el: HTMLElement; input: HTMLInputElement; set: (v: number) => void } {
  const id = newId('rng');
  const format = o.format ?? String;
  const input = h('input', { id, type: 'range', min: o.min, max: o.max, step: o.step, 'data-testid': o.testId });
  const out = h('output', { for: id });
  const set = (v: number): void => {
    input.value = String(v);
    out.textContent = format(v);
  };
  set(o.value);
  input.addEventListener('input', () => (out.textContent = format(Number(input.value))));
  input.addEventListener('change', () => onChange(Number(input.value)));
  const head = h('div', { class: 'row', style: 'justify-content: space-between; gap: 6px' }, h('label', { for: id }, label), out);
  return { el: h('div', { class: 'field' }, head, input), input, set };
}

/** A number input with a label; invalid entries are reverted to the last good value. */
export function numberField(
  label: string,
  o: { min: number; max: number; step: number | 'any'; value: number; integer?: boolean; testId?: string },
  onChange: (v: number) => void,
): { el: HTMLElement; input: HTMLInputElement; set: (v: number) => void } {
  const id = newId('num');
  const input = h('input', { id, type: 'number', min: o.min, max: o.max, step: o.step, 'data-testid': o.testId });
  let last = o.value;
  const set = (v: number): void => {
    last = v;
    input.value = String(v);
  };
  set(o.value);
  input.addEventListener('change', () => {
    const v = Number(input.value);
    const ok = input.value.trim() !== '' && Number.isFinite(v) && v >= o.min && v <= o.max && (!o.integer || Number.isInteger(v));
    if (!ok) {
      input.value = String(last);
      return;
    }
    last = v;
    onChange(v);
  });
  return { el: h('div', { class: 'field' }, h('label', { for: id }, label), input), input, set };
}

/** Percentages and figures as the page prints them. */
export const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
export function fix(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return '–';
  const s = v.toFixed(digits);
  // No "-0.000" for tiny negative values.
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}

const ICONS: Record<'play' | 'pause' | 'step' | 'reset', string> = {
  play: '<path d="M8 5v14l11-7z"/>',
  pause: '<path d="M7 5h4v14H7zM13 5h4v14h-4z"/>',
  step: '<path d="M6 5v14l9-7zM16 5h3v14h-3z"/>',
  reset: '<path d="M12 5a7 7 0 1 1-6.6 4.7l1.9.6A5 5 0 1 0 12 7v3L7.5 6 12 2z"/>',
};

/** A small inline SVG icon (no icon font, so it renders the same everywhere). */
export function icon(name: keyof typeof ICONS): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('fill', 'currentColor');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = ICONS[name];
  return svg;
}
