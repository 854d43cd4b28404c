import 'reflect-metadata';
import { pino } from 'pino';
import { migrateOnly, startGateway } from './app.js';
import { CALLBACKS_USAGE, callbacksCommand } from './cli/callbacks-command.js';
import { CONNECTIONS_USAGE, connectionsCommand } from './cli/connections-command.js';
import { KEYS_USAGE, keysCommand, UsageError } from './cli/keys-command.js';
import { SANDBOX_USAGE, sandboxCommand } from './cli/sandbox-command.js';
import { ConfigError, loadConfig } from './config.js';
import { EmbeddedPostgresError } from './db/embedded-postgres.js';
import { createLogger } from './logger.js';

const USAGE = `Usage: leadgraph <command>

Commands:
  start     start the gateway (default)
  migrate   apply pending database migrations and exit
${KEYS_USAGE}
${CALLBACKS_USAGE}
${CONNECTIONS_USAGE}
${SANDBOX_USAGE}
  help      show this text`;

/** Longest a graceful stop may take before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 15_000;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'sandbox') {
    // Needs no gateway configuration: the sandboxes are the providers.
    return sandboxCommand(argv.slice(1), createLogger('info', pino.destination(2)), process.stdout);
  }
  if (command !== 'start' && command !== 'migrate' && command !== 'keys' && command !== 'callbacks' && command !== 'connections') {
    process.stderr.write(`leadgraph: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }

  const config = loadConfig();

  if (command === 'keys') {
    // stdout carries only the command's result (a new key, alone on its line); logs go to stderr.
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
    return keysCommand(argv.slice(1), config, logger, process.stdout);
  }
  if (command === 'callbacks') {
    // As for keys: stdout carries only the URL, logs go to stderr.
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
    return callbacksCommand(argv.slice(1), config, logger, process.stdout);
  }

  if (command === 'connections') {
    // As for keys: stdout carries only the result, logs go to stderr.
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
    return connectionsCommand(argv.slice(1), config, logger, process.stdout);
  }

  const logger = createLogger(config.logLevel);
  if (command === 'migrate') {
    const applied = await migrateOnly(config, logger);
    logger.info({ migrations: applied }, applied.length === 0 ? 'database is up to date' : 'migrations applied');
    return 0;
  }

  // Signals are handled from before the start: one that arrives while starting (or
  // right after the banner) still ends in a graceful stop, never the default kill.
  let signalled: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => (signalled ??= signal);
  process.on('SIGTERM', (signal) => onSignal(signal));
  process.on('SIGINT', (signal) => onSignal(signal));

  const gateway = await startGateway(config, logger);
  logger.info({ url: gateway.url }, 'leadgraph is ready');
  // The banner is for the person at the terminal, not the log: the bootstrap key appears here only.
  process.stdout.write(
    `\nleadgraph is ready: GraphQL at ${gateway.url}\n` +
      (gateway.bootstrapKey === undefined
        ? ''
        : `\nDevelopment admin key (tenant "default"), shown only this once:\n  ${gateway.bootstrapKey}\n` +
          `Send it as: Authorization: Bearer <key>\n`) +
      '\n',
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const limit = setTimeout(() => {
        logger.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'graceful shutdown took too long; exiting');
        resolve(1);
      }, SHUTDOWN_LIMIT_MS);
      limit.unref();
      gateway.close().then(
        () => {
          clearTimeout(limit);
          logger.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    onSignal = stop;
    if (signalled !== undefined) stop(signalled);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Problems the user can fix get one clear line, not a stack trace.
    if (error instanceof UsageError) {
      console.error(`leadgraph: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigError || error instanceof EmbeddedPostgresError) {
      console.error(`leadgraph: ${error.message}`);
      process.exit(2);
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`leadgraph: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error('leadgraph: failed:', error);
    process.exit(1);
  },
);
