// Makes the opened database available to routes as `app.db` (its RoomStore and a ping).
// The app does not own the database: main.ts opens it before and closes it after the app.
import fp from 'fastify-plugin';
import type { Database } from '../db/client.js';

/** What HTTP and socket handlers may use of the database. */
export type AppDatabase = Pick<Database, 'store' | 'ping'>;

declare module 'fastify' {
  interface FastifyInstance {
    db: AppDatabase;
  }
}

export const databasePlugin = fp<{ database: AppDatabase }>(
  async (app, options) => {
    app.decorate('db', options.database);
  },
  { name: 'kubedrill-database', fastify: '5.x' },
);
