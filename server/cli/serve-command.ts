// `kubedrill serve`: runs the game server. Flags override the environment variables of
// the same meaning and go through the same validation (server/config.ts).
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { EmbeddedDatabase } from '../db/embedded.js';

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
      const server = import('../main.js');
      let embedded: Promise<EmbeddedDatabase> | undefined;
      try {
        const config = loadConfig(env);
        // The embedded database starts while the server's modules load: PGlite compiles its
        // WASM on V8's background threads, the main thread evaluates fastify, Prisma, socket.io.
        if (config.databaseUrl === undefined) embedded = import('../db/embedded.js').then((m) => m.startEmbeddedDatabase(config.dataDir));
        embedded?.catch(() => undefined); // reported by runServer, which awaits it
        await (await server).runServer(config, embedded ? { embedded } : {});
      } catch (error) {
        (await server).reportStartupError(error);
        process.exitCode = 1;
      }
    });
}
