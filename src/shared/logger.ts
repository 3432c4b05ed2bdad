/**
 * Structured logging on winston. JSON lines in production (and whenever stdout is not a
 * terminal, so log collectors get parseable output); coloured, readable lines in a
 * terminal. Components take a {@link Logger} and add their name with `child`.
 */
import winston from 'winston';

/** The logger type every component accepts. */
export type Logger = winston.Logger;

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** error | warn | info | debug; default from MEZZO_LOG_LEVEL or `info`. */
  level?: string;
  /** `json` or `pretty`; default: pretty on a TTY outside production, JSON otherwise. */
  format?: 'json' | 'pretty';
  /** Fields added to every line, e.g. `{ component: 'controller' }`. */
  defaultMeta?: Record<string, unknown>;
  /** Write to stderr instead of stdout (CLI commands keep stdout for their output). */
  stderr?: boolean;
  /** Discard everything (tests that only care about behaviour). */
  silent?: boolean;
}

function chooseFormat(opt: LoggerOptions['format']): 'json' | 'pretty' {
  if (opt) return opt;
  const env = process.env.MEZZO_LOG_FORMAT;
  if (env === 'json' || env === 'pretty') return env;
  if (process.env.NODE_ENV === 'production') return 'json';
  return process.stdout.isTTY ? 'pretty' : 'json';
}

const pretty = winston.format.printf((info) => {
  const { level, message, timestamp, component, ...rest } = info;
  // An absent field is left out, as JSON lines leave it out: `reason=undefined` says nothing.
  const fields = Object.entries(rest)
    .filter(([k, v]) => typeof k === 'string' && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const comp = typeof component === 'string' ? ` [${component}]` : '';
  return `${String(timestamp)} ${level}${comp} ${String(message)}${fields ? ` ${fields}` : ''}`;
});

/** Creates a root logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = chooseFormat(options.format);
  const level = options.level ?? process.env.MEZZO_LOG_LEVEL ?? 'info';
  return winston.createLogger({
    level,
    silent: options.silent ?? false,
    defaultMeta: options.defaultMeta ?? {},
    format:
      format === 'json'
        ? winston.format.combine(
            winston.format.timestamp(),
            winston.format.errors({ stack: true }),
            winston.format.json(),
          )
        : winston.format.combine(
            winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
            winston.format.errors({ stack: false }),
            winston.format.colorize(),
            pretty,
          ),
    transports: [
      new winston.transports.Console({
        stderrLevels: options.stderr
          ? ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']
          : ['error'],
      }),
    ],
  });
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return createLogger({ silent: true });
}
