// The hand-written migrations must build exactly the database prisma/schema.prisma
// describes, on the real PostgreSQL and on the embedded PGlite. Expected tables, columns,
// keys, indexes and foreign keys are derived from schema.prisma by a small parser (Prisma's
// DMMF needs its CLI internals, not installed) using Prisma's naming and type mapping;
// the actual ones are read from pg_catalog.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.js';
import { createTempDir, createTestDatabase, type TempDir, type TestDatabase } from '../helpers/db.js';

const SCHEMA_PATH = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));

// ---- expected: from schema.prisma -------------------------------------------------------

interface Column {
  type: string;
  nullable: boolean;
  default: string | null;
}
interface Index {
  table: string;
  columns: string[];
  unique: boolean;
  primary: boolean;
}
interface ForeignKey {
  table: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}
interface DatabaseShape {
  enums: Record<string, string[]>;
  columns: Record<string, Record<string, Column>>;
  indexes: Record<string, Index>;
  foreignKeys: Record<string, ForeignKey>;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};
/** Native types (`@db.X`) this schema uses, as PostgreSQL names them. */
const NATIVE_TYPES: Record<string, string> = {
  Json: 'json',
};
const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  SetNull: 'SET NULL',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetDefault: 'SET DEFAULT',
};

function listArg(text: string, name: string): string[] | undefined {
  const match = new RegExp(`${name}\\s*:\\s*\\[([^\\]]*)\\]`).exec(text);
  return match?.[1]?.split(',').map((s) => s.trim());
}

function expectedShape(schema: string): DatabaseShape {
  const source = schema.replace(/\/\/.*$/gm, '');
  const blocks = [...source.matchAll(/^(model|enum)\s+(\w+)\s*\{([^}]*)\}/gm)];
  const enums: Record<string, string[]> = {};
  for (const [, kind, name, body] of blocks) {
    if (kind === 'enum') enums[name!] = body!.split('\n').map((l) => l.trim()).filter(Boolean);
  }
  const models = new Set(blocks.filter(([, kind]) => kind === 'model').map(([, , name]) => name!));
  const shape: DatabaseShape = { enums, columns: {}, indexes: {}, foreignKeys: {} };

  for (const [, kind, model, body] of blocks) {
    if (kind !== 'model') continue;
    const table = model!;
    const columns: Record<string, Column> = {};
    shape.columns[table] = columns;
    for (const raw of body!.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      if (/@map\b|@@map\b/.test(line)) throw new Error(`the test's parser does not handle: ${line}`);
      const block = /^@@(id|unique|index)\(\[([^\]]*)\]/.exec(line);
      if (block) {
        const cols = block[2]!.split(',').map((s) => s.trim());
        const suffix = { id: 'pkey', unique: 'key', index: 'idx' }[block[1] as 'id' | 'unique' | 'index'];
        const name = block[1] === 'id' ? `${table}_pkey` : `${table}_${cols.join('_')}_${suffix}`;
        shape.indexes[name] = { table, columns: cols, unique: block[1] !== 'index', primary: block[1] === 'id' };
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) throw new Error(`unparsed line in model ${table}: ${line}`);
      const [, name, type, list, optional, attributes] = field as unknown as [string, string, string, string | undefined, string | undefined, string];
      if (models.has(type)) {
        const relation = /@relation\(([^)]*)\)/.exec(attributes)?.[1];
        const fields = relation && listArg(relation, 'fields');
        if (!relation || !fields) continue; // the back-relation side has no columns
        const onDelete = /onDelete\s*:\s*(\w+)/.exec(relation)?.[1] ?? (optional ? 'SetNull' : 'Restrict');
        const onUpdate = /onUpdate\s*:\s*(\w+)/.exec(relation)?.[1] ?? 'Cascade';
        shape.foreignKeys[`${table}_${fields.join('_')}_fkey`] = {
          table,
          columns: fields,
          references: type,
          referencedColumns: listArg(relation, 'references')!,
          onDelete: REFERENTIAL_ACTIONS[onDelete]!,
          onUpdate: REFERENTIAL_ACTIONS[onUpdate]!,
        };
        continue;
      }
      if (list) throw new Error(`the test's parser does not handle scalar lists: ${line}`);
      const isEnum = type in enums;
      const native = /@db\.(\w+)/.exec(attributes)?.[1];
      if (native !== undefined && !NATIVE_TYPES[native]) throw new Error(`the test's parser does not handle @db.${native}: ${line}`);
      const dbType = isEnum ? type : native !== undefined ? NATIVE_TYPES[native] : SCALAR_TYPES[type];
      if (!dbType) throw new Error(`unknown type ${type} in ${table}.${name}`);
      const defaultArg = /@default\(((?:[^()]|\([^()]*\))*)\)/.exec(attributes)?.[1];
      columns[name] = { type: dbType, nullable: optional === '?', default: dbDefault(defaultArg, type, isEnum) };
      if (/@id\b/.test(attributes)) shape.indexes[`${table}_pkey`] = { table, columns: [name], unique: true, primary: true };
      if (/@unique\b/.test(attributes)) {
        shape.indexes[`${table}_${name}_key`] = { table, columns: [name], unique: true, primary: false };
      }
    }
  }
  return shape;
}

/** The column default PostgreSQL reports for a Prisma @default (client-side defaults have none). */
function dbDefault(arg: string | undefined, type: string, isEnum: boolean): string | null {
  if (arg === undefined || /^(uuid|cuid|nanoid|ulid)\(/.test(arg)) return null;
  if (arg === 'now()') return 'CURRENT_TIMESTAMP';
  if (isEnum) return `'${arg}'::"${type}"`;
  if (type === 'String') return `${arg.replace(/^"|"$/g, "'")}::text`;
  return arg;
}

// ---- actual: from pg_catalog --------------------------------------------------------------

const ON_ACTION: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

async function actualShape(client: pg.ClientBase): Promise<DatabaseShape> {
  {
    const shape: DatabaseShape = { enums: {}, columns: {}, indexes: {}, foreignKeys: {} };
    const enums = await client.query<{ name: string; labels: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema() GROUP BY t.typname`);
    for (const row of enums.rows) shape.enums[row.name] = row.labels;

    const columns = await client.query<{ table: string; column: string; type: string; nullable: boolean; default: string | null }>(`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
             NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'`);
    for (const row of columns.rows) {
      (shape.columns[row.table] ??= {})[row.column] = {
        type: row.type.replace(/^"(.*)"$/, '$1'),
        nullable: row.nullable,
        default: row.default,
      };
    }

    const indexes = await client.query<{ name: string; table: string; columns: string[]; unique: boolean; primary: boolean }>(`
      SELECT i.relname AS name, t.relname AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
             array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'
      GROUP BY i.relname, t.relname, ix.indisunique, ix.indisprimary`);
    for (const row of indexes.rows) {
      shape.indexes[row.name] = { table: row.table, columns: row.columns, unique: row.unique, primary: row.primary };
    }

    const fks = await client.query<{
      name: string; table: string; references: string; columns: string[]; referenced_columns: string[]; del: string; upd: string;
    }>(`
      SELECT con.conname AS name, t.relname AS table, r.relname AS references, con.confdeltype AS del, con.confupdtype AS upd,
             (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(n, ord)
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS columns,
             (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(n, ord)
                JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS referenced_columns
      FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema()`);
    for (const row of fks.rows) {
      shape.foreignKeys[row.name] = {
        table: row.table,
        columns: row.columns,
        references: row.references,
        referencedColumns: row.referenced_columns,
        onDelete: ON_ACTION[row.del]!,
        onUpdate: ON_ACTION[row.upd]!,
      };
    }
    return shape;
  }
}

// ---- tests ----------------------------------------------------------------------------------

describe('schema.prisma parser used by this test', () => {
  it('reads models, enums, keys and relations the way Prisma names them', async () => {
    const shape = expectedShape(await readFile(SCHEMA_PATH, 'utf8'));
    expect(shape.enums.RoomStatus).toEqual(['lobby', 'running', 'paused', 'ended']);
    expect(shape.columns.Room?.status).toEqual({ type: 'RoomStatus', nullable: false, default: `'lobby'::"RoomStatus"` });
    expect(shape.columns.Room?.id).toEqual({ type: 'text', nullable: false, default: null });
    expect(shape.columns.Event?.participantId).toEqual({ type: 'text', nullable: true, default: null });
    expect(shape.indexes.Participant_tokenHash_key).toEqual({ table: 'Participant', columns: ['tokenHash'], unique: true, primary: false });
    expect(shape.indexes.Event_pkey).toEqual({ table: 'Event', columns: ['roomId', 'seq'], unique: true, primary: true });
    expect(shape.indexes.Result_scenarioId_score_idx?.unique).toBe(false);
    expect(shape.foreignKeys.Event_participantId_fkey?.onDelete).toBe('SET NULL');
  });
});

describe.each(['postgresql', 'pglite'] as const)('migrated %s database matches schema.prisma', (engine) => {
  let testDb: TestDatabase | undefined;
  let tempDir: TempDir | undefined;
  let db: Database;

  beforeAll(async () => {
    if (engine === 'postgresql') {
      testDb = await createTestDatabase();
      db = await openDatabase({ databaseUrl: testDb.url, dataDir: '' });
    } else {
      tempDir = await createTempDir();
      db = await openDatabase({ databaseUrl: undefined, dataDir: tempDir.path });
    }
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await tempDir?.remove();
  });

  async function shapes(): Promise<{ expected: DatabaseShape; actual: DatabaseShape }> {
    const expected = expectedShape(await readFile(SCHEMA_PATH, 'utf8'));
    // Through the app's own pool: PGlite serves a single connection.
    const actual = await withPoolClient(db, actualShape);
    return { expected, actual };
  }

  it('has the same enum types', async () => {
    const { expected, actual } = await shapes();
    expect(actual.enums).toEqual(expected.enums);
  });
  it('has the same tables and columns (type, nullability, default)', async () => {
    const { expected, actual } = await shapes();
    expect(actual.columns).toEqual(expected.columns);
  });
  it('has the same primary keys, unique constraints and indexes', async () => {
    const { expected, actual } = await shapes();
    expect(actual.indexes).toEqual(expected.indexes);
  });
  it('has the same foreign keys and referential actions', async () => {
    const { expected, actual } = await shapes();
    expect(actual.foreignKeys).toEqual(expected.foreignKeys);
  });
});

async function withPoolClient<T>(db: Database, run: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    return await run(client);
  } finally {
    client.release();
  }
}
