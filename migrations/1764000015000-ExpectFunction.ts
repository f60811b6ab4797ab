import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registry_expect(ok, message)` fails its statement, with SQLSTATE RGX01 and `message`, unless
 * `ok`: plain SQL has no way to raise. The projector opens a transaction planned on the state it
 * expects with a statement that asserts that state this way, so when the state has moved, the
 * writes sent in the same round trip never commit.
 */
export class ExpectFunction1764000015000 implements MigrationInterface {
  name = 'ExpectFunction1764000015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION registry_expect(ok boolean, message text) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF ok IS NOT TRUE THEN
          RAISE EXCEPTION USING ERRCODE = 'RGX01', MESSAGE = message;
        END IF;
        RETURN true;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION registry_expect(boolean, text)');
  }
}
