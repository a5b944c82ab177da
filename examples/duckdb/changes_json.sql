-- The "changes" table for DuckDB over s3_sink.json's objects (JsonFormat:
-- one Debezium envelope per line, without its schema). DuckDB cannot read
-- s3:// here, so download the bucket first and point the variable "changes"
-- at the files, e.g.
--   SET VARIABLE changes = 'burst-bank/topics/bank.burst_bank.customer/partition=*/*.json';
--
-- registration_date arrives as io.debezium.time.Date (days since
-- 1970-01-01); the view turns it into a DATE, as the consume table wants.
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
    source, op, ts_ms, ts_us, ts_ns
FROM read_json(getvariable('changes'),
    format = 'newline_delimited',
    columns = {
        'before': 'STRUCT(custkey VARCHAR, first_name VARCHAR, city VARCHAR, state VARCHAR, fico INTEGER, registration_date INTEGER)',
        'after':  'STRUCT(custkey VARCHAR, first_name VARCHAR, city VARCHAR, state VARCHAR, fico INTEGER, registration_date INTEGER)',
        'source': 'STRUCT(version VARCHAR, connector VARCHAR, name VARCHAR, ts_ms BIGINT, snapshot VARCHAR, db VARCHAR, sequence VARCHAR, ts_us BIGINT, ts_ns BIGINT, schema VARCHAR, "table" VARCHAR, txId BIGINT, lsn BIGINT, xmin BIGINT)',
        'op':     'VARCHAR',
        'ts_ms':  'BIGINT',
        'ts_us':  'BIGINT',
        'ts_ns':  'BIGINT'
    });
