/**
 * Prepared statements kept per database connection. Preparing was the dearest part of the board's
 * small queries: the idle dashboard asks the same dozen every second (held tasks, settings, messages,
 * the change mark), and its profile put ~1 ms a second in `prepare` alone.
 */
import type Database from 'better-sqlite3';

export type Prepare = (sql: string) => Database.Statement;

export function statementCache(db: Database.Database): Prepare {
  const prepared = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  };
}
