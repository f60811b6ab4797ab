import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The embedded event log (no Kafka): topics, their messages and consumer-group offsets, in Postgres. */
export class CreateEmbeddedEventLog1764000006000 implements MigrationInterface {
  name = 'CreateEmbeddedEventLog1764000006000';

  async up(q: QueryRunner): Promise<void> {
    // A topic's partition count is fixed at creation, as in Kafka: keys keep their partition for life.
    await q.query(`
      CREATE TABLE event_log_topics (
        topic text PRIMARY KEY,
        partitions integer NOT NULL CHECK (partitions > 0)
      )`);
    // next_offset per partition. An append updates this row first and holds its lock until it
    // commits, so one partition's offsets are handed out and become visible in order, without gaps.
    await q.query(`
      CREATE TABLE event_log_partitions (
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (topic, partition)
      )`);
    // last_offset_of_append: a consumer extends a batch to the end of an append, so one command's
    // events are never split across two batches.
    await q.query(`
      CREATE TABLE event_log_messages (
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        last_offset_of_append bigint NOT NULL,
        key text,
        value bytea,
        headers jsonb NOT NULL,
        appended_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition, "offset")
      )`);
    await q.query(`
      CREATE TABLE event_log_group_offsets (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (group_id, topic, partition)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['event_log_group_offsets', 'event_log_messages', 'event_log_partitions', 'event_log_topics']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
