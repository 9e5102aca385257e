// The drizzle handle the services use, over one pg Pool.
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import * as schema from './schema';

export const database = (pool: pg.Pool) => drizzle(pool, { schema });
