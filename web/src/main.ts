/**
 * Page wiring: the settings live in the URL's hash; each change rewrites it and tells every panel which keys
 * changed. A pasted or edited link (hashchange) is read back the same way. `window.__playground` exposes read-only
 * figures of each panel for tests.
 */
import type { App, Panel } from './app.js';
import { createDigitsPanel } from './digits.js';
import { createFeaturesPanel } from './features.js';
import { createGdPanel } from './gd.js';
import { createNetworkPanel } from './network.js';
import { type Settings, TABS, type Tab, cloneSettings, parseSettings, serializeSettings } from './state.js';

const parsed = parseSettings(location.hash);
let settings = parsed.settings;
let written = '';
const messages = document.getElementById('messages')!;

function showMessages(errors: string[]): void {
  messages.replaceChildren(...errors.map((e) => Object.assign(document.createElement('div'), { textContent: `Link: ${e}` })));
}

function writeHash(): void {
  written = serializeSettings(settings);
  history.replaceState(null, '', `#${written}`);
}

const app: App = {
  get settings() {
    return settings;
  },
  update(patch) {
    const next = { ...cloneSettings(settings), ...patch };
    const changed = new Set<keyof Settings>();
    for (const k of Object.keys(patch) as (keyof Settings)[]) {
      if (JSON.stringify(next[k]) !== JSON.stringify(settings[k])) changed.add(k);
    }
    if (changed.size === 0) return;
    settings = next;
    writeHash();
    broadcast(changed);
  },
};

const panels: Record<Tab, Panel> = {
  network: createNetworkPanel(document.getElementById('panel-network')!, app),
  features: createFeaturesPanel(document.getElementById('panel-features')!, app),
  gd: createGdPanel(document.getElementById('panel-gd')!, app),
  digits: createDigitsPanel(document.getElementById('panel-digits')!, app),
};

const tabButtons = new Map<Tab, HTMLButtonElement>(TABS.map((t) => [t, document.getElementById(`tab-${t}`) as HTMLButtonElement]));
let shown: Tab | null = null;

/** Applies settings to every panel, then shows the selected tab. */
function broadcast(changed: ReadonlySet<keyof Settings>): void {
  for (const t of TABS) panels[t].apply(settings, changed);
  if (shown !== settings.tab) {
    for (const t of TABS) {
      const active = t === settings.tab;
      tabButtons.get(t)!.setAttribute('aria-selected', String(active));
      tabButtons.get(t)!.tabIndex = active ? 0 : -1;
      document.getElementById(`panel-${t}`)!.hidden = !active;
    }
    if (shown) panels[shown].show(false);
    shown = settings.tab;
    panels[shown].show(true);
  }
}

// Tabs: click, or arrow keys between them (the WAI-ARIA tabs pattern).
for (const [t, b] of tabButtons) {
  b.addEventListener('click', () => app.update({ tab: t }));
  b.addEventListener('keydown', (e) => {
    const i = TABS.indexOf(t);
    const j = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
    if (j < 0) return;
    e.preventDefault();
    app.update({ tab: TABS[j] });
    tabButtons.get(TABS[j])!.focus();
  });
}

const share = document.getElementById('share') as HTMLButtonElement;
share.addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    share.textContent = 'Link copied';
  } catch {
    share.textContent = 'Copy the address bar';
  }
  setTimeout(() => (share.textContent = 'Copy link'), 2000);
});

window.addEventListener('hashchange', () => {
  if (location.hash.slice(1) === written) return;
  const next = parseSettings(location.hash);
  showMessages(next.errors);
  const changed = new Set<keyof Settings>();
  for (const k of Object.keys(next.settings) as (keyof Settings)[]) {
    if (JSON.stringify(next.settings[k]) !== JSON.stringify(settings[k])) changed.add(k);
  }
  settings = next.settings;
  writeHash();
  broadcast(changed);
});

showMessages(parsed.errors);
writeHash();
broadcast(new Set(Object.keys(settings) as (keyof Settings)[]));

/** Read-only figures for tests: window.__playground.network.testLoss, .features.results, .gd.ends, .digits.prediction. */
Object.defineProperty(window, '__playground', {
  value: Object.freeze({
    get settings(): Settings {
      return cloneSettings(settings);
    },
    get hash(): string {
      return written;
    },
    network: panels.network.hooks,
    features: panels.features.hooks,
    gd: panels.gd.hooks,
    digits: panels.digits.hooks,
  }),
});
