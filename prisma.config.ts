// Prisma 7 CLI configuration. The server never reads this file: it applies the SQL
// migrations itself (server/db/migrate.ts). DATABASE_URL is optional here so that
// `prisma generate` runs at install time without a database.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
