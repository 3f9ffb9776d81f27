import type { ParseArgsConfig } from 'node:util';
import { UsageError, type CliIo } from './cli-io.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs made of a command's arguments. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** One `herald <name>` command. run() resolves with the exit code; -1 keeps running. */
export interface Command {
  name: string;
  /** One line for the command list of `herald help`. */
  summary: string;
  /** The synopsis and what each option does, for `herald help <name>`. */
  usage: string;
  options: Options;
  /** How many positional arguments the command takes. */
  positionals: { min: number; max: number; name?: string };
  run(args: Parsed, io: CliIo): Promise<number>;
}

/** A string option that must be a whole number in [min, max]. */
export function intOption(
  value: string | boolean | undefined,
  name: string,
  fallback: number,
  [min, max]: [number, number],
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${value})`);
  }
  return n;
}

/** A string option that must be one of `allowed`. */
export function choiceOption<T extends string>(
  value: string | boolean | undefined,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got ${value})`);
}

/** A string option that must be an ISO 8601 time; returns epoch milliseconds. */
export function timeOption(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw new UsageError(
      `--${name} must be an ISO 8601 time such as 2024-05-01T00:00:00Z (got ${value})`,
    );
  }
  return ms;
}

export function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
