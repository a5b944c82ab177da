-- The "changes" table for DuckDB over s3_sink_parquet.json's objects
-- (ParquetFormat: columns before, after, source, transaction, op, ts_ms…),
-- downloaded first, e.g.
--   SET VARIABLE changes = 'burst-bank/parquet/bank.burst_bank.customer/partition=*/*.parquet';
--
-- Wharf writes io.debezium.time.Date as a Parquet DATE; Confluent's sink
-- writes the plain INT32 day count. debezium_date accepts both.
CREATE OR REPLACE MACRO debezium_date(d) AS
    CASE WHEN d IS NULL THEN NULL
         WHEN CAST(d AS VARCHAR) LIKE '%-%-%' THEN CAST(CAST(d AS VARCHAR) AS DATE)
         ELSE DATE '1970-01-01' + CAST(CAST(d AS VARCHAR) AS INTEGER) END;

CREATE OR REPLACE VIEW customer_changes AS
SELECT
    CASE WHEN before IS NULL THEN NULL
         ELSE struct_update(before, registration_date := debezium_date(before.registration_date)) END AS before,
    CASE WHEN after IS NULL THEN NULL
         ELSE struct_update(after, registration_date := debezium_date(after.registration_date)) END AS after,
    source, op, ts_ms
FROM read_parquet(getvariable('changes'), union_by_name = true);
