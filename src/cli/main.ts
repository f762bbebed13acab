#!/usr/bin/env node
/**
 * The `backprop` command: `backprop <command> [options]`, each command with its own --help.
 * Exit codes: 0 success, 1 an error from the library or the data (printed as `backprop: <message>`, with the
 * stack trace only when BACKPROP_DEBUG=1), 2 a mistake on the command line (unknown flag, missing value).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type CommandSpec, type FlagValues, type PositionalSpec, UsageError } from './command.js';
import { demoCircleCommand } from './commands/demo-circle.js';
import { demoFinetuneCommand } from './commands/demo-finetune.js';
import { demoGdCommand } from './commands/demo-gd.js';
import { demoMnistCommand } from './commands/demo-mnist.js';
import { demoRidgeCommand } from './commands/demo-ridge.js';
import { demoXorCommand } from './commands/demo-xor.js';
import { infoCommand, packageVersion } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { spamCommand } from './commands/spam.js';
import { trainCommand } from './commands/train.js';
import { attackCommandSpec } from './commands/trust-attack.js';
import { calibrateCommandSpec } from './commands/trust-calibrate.js';
import { demoFgsmCommand } from './commands/trust-demo-fgsm.js';
import { explainCommandSpec } from './commands/trust-explain.js';
import { shiftCommandSpec } from './commands/trust-shift.js';

/** Every command, in the order `backprop --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  spamCommand, predictCommand, demoXorCommand, demoCircleCommand, demoGdCommand, demoRidgeCommand, demoMnistCommand, demoFinetuneCommand,
  demoFgsmCommand, trainCommand,
  attackCommandSpec, explainCommandSpec, calibrateCommandSpec, shiftCommandSpec, infoCommand,
];

/** Where main() writes: stdout for help and results, stderr for errors. */
export interface MainIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: MainIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `backprop ${packageVersion()}: deep learning in TypeScript, the course's cases from the command line.`,
    '',
    'Usage: backprop <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'backprop <command> --help' for a command's options, e.g. 'backprop demo xor --help'.",
    'Options: --help, -h  this text;  --version, -v  the version.',
    '',
  ].join('\n');
}

/** The positional arguments of a command, in order. */
function positionalsOf(c: CommandSpec): readonly PositionalSpec[] {
  const p = c.positional;
  return p === undefined ? [] : isList(p) ? p : [p];
}

function isList(p: PositionalSpec | readonly PositionalSpec[]): p is readonly PositionalSpec[] {
  return Array.isArray(p);
}

/** The --help text of one command. */
export function commandHelp(c: CommandSpec): string {
  const flags: [string, string][] = Object.entries(c.flags).map(([name, f]) => [
    `${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : ''}`, f.description,
  ]);
  flags.push(['-h, --help', 'show this help']);
  const args: [string, string][] = positionalsOf(c).map((p) => [`<${p.name}>`, p.description]);
  const width = Math.max(...[...flags, ...args].map(([l]) => l.length));
  return [
    `backprop ${c.name}: ${c.summary}`,
    '',
    `Usage: backprop ${c.usage}`,
    '',
    ...(args.length > 0 ? ['Arguments:', ...args.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`), ''] : []),
    'Options:',
    ...flags.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`),
    ...(c.details ? ['', c.details] : []),
    '',
  ].join('\n');
}

/** Finds the command named by the first words of argv; returns it and the remaining arguments. */
function findCommand(argv: readonly string[]): { command: CommandSpec; rest: string[] } | null {
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command: c, rest: argv.slice(words.length) };
  }
  return null;
}

/** The command words that start like argv (e.g. every 'demo …' for ['demo']), for an error or a group help. */
function group(argv: readonly string[]): CommandSpec[] {
  return argv.length === 0 ? [] : COMMANDS.filter((c) => c.name.split(' ')[0] === argv[0]);
}

/** Rewrites node:util parseArgs's messages into ours (they speak of positionals and `--` escapes). */
function usageMessage(e: Error & { code?: string }, c: CommandSpec): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted ?? e.message}' for 'backprop ${c.name}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted ?? e.message}' for 'backprop ${c.name}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return e.message.replace(/^Option '([^']+)'.*argument missing$/, "option '$1' needs a value").replace(/^Option/, 'option');
    default:
      return e.message;
  }
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit code. Errors are printed,
 * never thrown: `backprop: <message>` on stderr.
 */
export async function main(argv: readonly string[], io: MainIO = processIO): Promise<number> {
  const debug = process.env.BACKPROP_DEBUG === '1';
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const found = first === 'help' ? findCommand(argv.slice(1)) : null;
    io.stdout(found ? commandHelp(found.command) : overview());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const members = group(argv);
    const wantsHelp = argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h');
    if (members.length > 0 && (argv.length === 1 || wantsHelp)) {
      const width = Math.max(...members.map((c) => c.name.length));
      const text = `Usage: backprop ${first} <${members.map((c) => c.name.split(' ')[1]).join('|')}> [options]\n\n` +
        `${members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n`;
      if (wantsHelp) {
        io.stdout(text);
        return 0;
      }
      io.stderr(`backprop: '${first}' needs one of: ${members.map((c) => c.name.split(' ')[1]).join(', ')}\n\n${text}`);
      return 2;
    }
    const what = members.length > 0 ? `'${argv.slice(0, 2).join(' ')}'; expected one of: ${members.map((c) => c.name).join(', ')}` : `'${first}'`;
    io.stderr(`backprop: unknown command ${what}\nRun 'backprop --help' for the list of commands.\n`);
    return 2;
  }
  const { command, rest } = found;
  let flags: FlagValues;
  try {
    const options = Object.fromEntries(Object.entries(command.flags).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}) }]));
    // A command may take positional arguments (e.g. `attack <model-dir>`), each stored in flags[name].
    const positionals = positionalsOf(command);
    const parsed = parseArgs({ args: [...rest], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: positionals.length > 0 });
    flags = parsed.values as FlagValues;
    if (positionals.length > 0 && parsed.positionals.length > positionals.length) {
      throw new Error(`unexpected argument '${parsed.positionals[positionals.length]}' for 'backprop ${command.name}'`);
    }
    parsed.positionals.forEach((v, i) => (flags[positionals[i].name] = v));
  } catch (e) {
    io.stderr(`backprop: ${usageMessage(e as Error, command)}\nRun 'backprop ${command.name} --help' for its options.\n`);
    return 2;
  }
  if (flags.help) {
    io.stdout(commandHelp(command));
    return 0;
  }
  try {
    await command.run(flags);
    return 0;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err instanceof UsageError) {
      io.stderr(`backprop: ${err.message}\nRun 'backprop ${command.name} --help' for its options.\n`);
      return 2;
    }
    io.stderr(`backprop: ${err.message}\n${debug && err.stack ? `${err.stack}\n` : ''}`);
    return 1;
  }
}

/** True when this file is the program being run (also through npm's bin symlink), not an import. */
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `backprop … | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // exitCode rather than exit(): the output still being written to a pipe is not cut off.
  process.exitCode = await main(process.argv.slice(2));
}
