/**
 * `npm run playground`: builds the playground (web/) with Vite and serves the build with `vite preview`, on
 * 127.0.0.1 only, printing its URL.
 *
 *     npx tsx web/serve.ts [--port 5173] [--host [address]] [--no-build]
 *
 * --host without an address listens on every network interface (so other machines can open the page) and says
 * so with a warning; --host 0.0.0.0 or a specific address does the same for that address.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LogLevel, type PreviewServer, build, preview } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export interface PlaygroundOptions {
  /** Port to listen on; 0 picks a free one; a busy port moves to the next free one (default 5173). */
  port?: number;
  /** Address to listen on (default 127.0.0.1); true for every interface. */
  host?: string | true;
  /** Build before serving (default true); false serves the existing build. */
  build?: boolean;
  /** Build folder (default web/dist). */
  outDir?: string;
  /** Vite's log level (default 'warn'). */
  logLevel?: LogLevel;
}

export interface Playground {
  /** The address to open, e.g. http://127.0.0.1:5173/ */
  url: string;
  server: PreviewServer;
  close(): Promise<void>;
}

/** Builds (unless told not to) and serves the playground; resolves once it is listening. */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const configFile = resolve(here, 'vite.config.ts');
  const outDir = options.outDir ?? resolve(here, 'dist');
  const logLevel = options.logLevel ?? 'warn';
  if (options.build ?? true) await build({ configFile, logLevel, build: { outDir } });
  const server = await preview({
    configFile,
    logLevel,
    build: { outDir },
    preview: { host: options.host ?? '127.0.0.1', port: options.port ?? 5173, strictPort: false, open: false },
  });
  const urls = server.resolvedUrls;
  const url = urls?.local[0] ?? urls?.network[0];
  if (!url) throw new Error('startPlayground: the preview server reported no URL');
  return { url, server, close: () => server.close() };
}

/** Parses the command line: --port N, --host [address], --no-build. */
export function parseArgs(argv: readonly string[]): PlaygroundOptions {
  const o: PlaygroundOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') {
      const p = Number(argv[++i]);
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`playground: --port ${argv[i]}; expected an integer in [0, 65535]`);
      o.port = p;
    } else if (a.startsWith('--port=')) {
      return parseArgs([...argv.slice(0, i), '--port', a.slice(7), ...argv.slice(i + 1)]);
    } else if (a === '--host') {
      const next = argv[i + 1];
      o.host = next !== undefined && !next.startsWith('--') ? argv[++i] : true;
    } else if (a.startsWith('--host=')) {
      o.host = a.slice(7) || true;
    } else if (a === '--no-build') {
      o.build = false;
    } else {
      throw new Error(`playground: unknown option '${a}'; expected --port N, --host [address] or --no-build`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.host !== undefined && !(typeof options.host === 'string' && LOOPBACK.has(options.host))) {
    const where = options.host === true ? 'every network interface' : options.host;
    console.warn(`warning: --host: serving on ${where}; anyone who can reach this machine can open the playground.`);
  }
  if (options.build ?? true) console.log('Building the playground…');
  const pg = await startPlayground({ ...options, logLevel: 'warn' });
  const urls = pg.server.resolvedUrls!;
  console.log(`Backprop playground: ${pg.url}`);
  for (const u of urls.network) console.log(`  on the network: ${u}`);
  console.log('Press Ctrl-C to stop.');
  const stop = (): void => {
    void pg.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
