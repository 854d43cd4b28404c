import { type Logger } from 'typeorm';

/** A TypeORM logger that counts the statements sent to PostgreSQL. */
export class SqlCounter implements Logger {
  statements: string[] = [];

  reset(): void {
    this.statements = [];
  }

  logQuery(query: string): void {
    this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
