import { parseArgs } from 'node:util';
import { CommandError, UsageError, type CliIo } from './cli-io.ts';
import type { Command, Parsed } from './command.ts';
import { deliveriesCommand } from './deliveries-command.ts';
import { eventCommand } from './event-command.ts';
import { ownersCommand } from './owners-command.ts';
import { resendCommand } from './resend-command.ts';
import { demoCommand, migrateCommand, startCommand } from './service-commands.ts';

const COMMANDS: Command[] = [
  startCommand,
  migrateCommand,
  demoCommand,
  deliveriesCommand,
  resendCommand,
  eventCommand,
  ownersCommand,
];

const SETTINGS = `Settings come from the environment (see README.md). The operator commands
(deliveries, resend, event, owners) work on the database directly, so they need
the same HERALD_DATA_DIR or HERALD_DATABASE_URL as the running Herald, not its API.`;

/** The list of commands, for `herald help`. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: herald <command> [options]',
    '',
    'commands:',
    ...lines,
    `  ${'help'.padEnd(width)}  this list, or "herald help <command>" for one command`,
    '',
    SETTINGS,
  ].join('\n');
}

/**
 * Runs `herald <argv>`: resolves with the exit code (0 done, 1 failed, 2 misused),
 * or -1 when the command keeps running (start). No command means start.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name = 'start', ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') return help(rest[0], io);

  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err.write(
      `herald: unknown command ${JSON.stringify(name)}; the commands are ` +
        `${COMMANDS.map((c) => c.name).join(', ')}, help\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) return help(command.name, io);

  try {
    return await command.run(parse(command, rest), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`herald ${command.name}: ${error.message}\n\nusage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof CommandError) {
      io.err.write(`herald ${command.name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function help(name: string | undefined, io: CliIo): number {
  if (name === undefined) {
    io.out.write(overview() + '\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err.write(`herald help: unknown command ${JSON.stringify(name)}\n\n${overview()}\n`);
    return 2;
  }
  io.out.write(`${command.summary}\n\nusage: ${command.usage}\n`);
  return 0;
}

/** parseArgs, strict: an unknown option or a stray argument is a UsageError. */
function parse(command: Command, args: string[]): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args,
      options: command.options,
      allowPositionals: true,
      strict: true,
    }) as Parsed;
  } catch (error) {
    // parseArgs explains well ("Unknown option '--x'"); its hint about "--" does not apply.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { min, max, name } = command.positionals;
  const count = parsed.positionals.length;
  if (count < min) throw new UsageError(`missing <${name ?? 'argument'}>`);
  if (count > max) {
    const extra = parsed.positionals.slice(max).join(' ');
    throw new UsageError(max === 0 ? `takes no arguments (got ${extra})` : `too many arguments`);
  }
  return parsed;
}
