// `kubedrill serve`: runs the game server. Flags override the environment variables of
// the same meaning and go through the same validation (server/config.ts).
import type { Command } from 'commander';
import { loadConfig } from '../config.js';

export function addServeCommand(program: Command): Command {
  return program
    .command('serve')
    .description('run the game server (embedded database unless DATABASE_URL is set)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1; 0.0.0.0 for all interfaces)')
    .option('--data-dir <dir>', 'folder of the embedded database (env KUBEDRILL_DATA_DIR, default .kubedrill)')
    .action(async (flags: { port?: string; host?: string; dataDir?: string }) => {
      const env = {
        ...process.env,
        ...(flags.port !== undefined ? { PORT: flags.port } : {}),
        ...(flags.host !== undefined ? { HOST: flags.host } : {}),
        ...(flags.dataDir !== undefined ? { KUBEDRILL_DATA_DIR: flags.dataDir } : {}),
      };
      // Loaded on demand: fastify and Prisma cost a second that `kubedrill shell` should not pay.
      const { reportStartupError, runServer } = await import('../main.js');
      try {
        await runServer(loadConfig(env));
      } catch (error) {
        reportStartupError(error);
        process.exitCode = 1;
      }
    });
}
