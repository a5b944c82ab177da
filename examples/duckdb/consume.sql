-- The tutorial's "consume" table, in DuckDB.
CREATE TABLE IF NOT EXISTS customer_consume (
    custkey VARCHAR(3),
    first_name VARCHAR(50),
    city VARCHAR(50),
    state VARCHAR(2),
    fico INT,
    registration_date DATE,
    ts_ms BIGINT
);
