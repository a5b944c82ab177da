-- The tutorial's "consume" table that end users and applications query
-- (Starburst Galaxy syntax; on open-source Trino use an Iceberg catalog and
-- drop the type property).
create table iceberg.burst_bank.customer_consume (
     custkey VARCHAR(3),
    first_name VARCHAR(50),
    city VARCHAR(50),
    state VARCHAR(2),
    fico INT,
    registration_date DATE,
    ts_ms BIGINT
) WITH (type='iceberg',
      format='parquet',
      location='s3://burst-bank/consume/customer');
