-- The "changes" table over what the S3 sink writes (the tutorial lets
-- Starburst Galaxy's schema discovery create it; this is the equivalent DDL
-- for a Trino Hive catalog named "hive" on the same bucket).
--
-- s3_sink.json (JsonFormat) writes one change event per line, the Debezium
-- envelope without its schema, under
--   s3://burst-bank/topics/bank.burst_bank.customer/partition=0/bank.burst_bank.customer+0+<offset>.json
-- registration_date is Debezium's io.debezium.time.Date: days since 1970-01-01.
CREATE SCHEMA IF NOT EXISTS hive.burst_bank WITH (location = 's3://burst-bank/');

CREATE TABLE hive.burst_bank.customer_changes (
    before ROW(custkey VARCHAR, first_name VARCHAR, city VARCHAR, state VARCHAR,
               fico INTEGER, registration_date INTEGER),
    after  ROW(custkey VARCHAR, first_name VARCHAR, city VARCHAR, state VARCHAR,
               fico INTEGER, registration_date INTEGER),
    source ROW(version VARCHAR, connector VARCHAR, name VARCHAR, ts_ms BIGINT,
               snapshot VARCHAR, db VARCHAR, sequence VARCHAR, ts_us BIGINT,
               ts_ns BIGINT, schema VARCHAR, "table" VARCHAR, txid BIGINT,
               lsn BIGINT, xmin BIGINT),
    op     VARCHAR,
    ts_ms  BIGINT,
    ts_us  BIGINT,
    ts_ns  BIGINT
) WITH (
    format = 'JSON',
    -- one Kafka partition (topic.creation.default.partitions=1)
    external_location = 's3://burst-bank/topics/bank.burst_bank.customer/partition=0/'
);

-- The same table over s3_sink_parquet.json's objects
-- (s3://burst-bank/parquet/bank.burst_bank.customer/partition=0/…+<offset>.snappy.parquet):
-- CREATE TABLE hive.burst_bank.customer_changes_parquet (…same columns…)
-- WITH (format = 'PARQUET',
--       external_location = 's3://burst-bank/parquet/bank.burst_bank.customer/partition=0/');
