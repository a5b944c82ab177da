-- Postgres side of the tutorial (run as a superuser in database "postgres",
-- on a server started with wal_level=logical):
--   psql -U postgres -d postgres -f examples/postgres/setup.sql
-- The docker-compose postgres service runs it from /docker-entrypoint-initdb.d.

-- The table the tutorial captures: the columns of its consume table.
CREATE SCHEMA IF NOT EXISTS burst_bank;

CREATE TABLE IF NOT EXISTS burst_bank.customer (
    custkey           VARCHAR(3) PRIMARY KEY,
    first_name        VARCHAR(50),
    city              VARCHAR(50),
    state             VARCHAR(2),
    fico              INT,
    registration_date DATE
);

-- FULL puts the whole old row into "before" of updates and deletes. The
-- MERGE needs only the key of deleted rows, which DEFAULT (primary key)
-- already gives, so either setting works; FULL makes the changes table a
-- complete audit trail.
ALTER TABLE burst_bank.customer REPLICA IDENTITY FULL;

-- The connector's user, as in the tutorial's "user with replication access"
-- (on RDS: GRANT rds_replication; on plain PostgreSQL: the REPLICATION attribute).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wharf') THEN
        CREATE USER wharf PASSWORD 'wharf';
    END IF;
END $$;
ALTER USER wharf REPLICATION;
GRANT CONNECT ON DATABASE postgres TO wharf;
GRANT USAGE ON SCHEMA burst_bank TO wharf;
GRANT SELECT ON ALL TABLES IN SCHEMA burst_bank TO wharf;
ALTER DEFAULT PRIVILEGES IN SCHEMA burst_bank GRANT SELECT ON TABLES TO wharf;

-- The connector would create "dbz_publication" FOR ALL TABLES itself
-- (publication.autocreate.mode=all_tables), which only a superuser may do.
-- Created here instead, for the schema only: tables added to burst_bank
-- later are published too.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'dbz_publication') THEN
        CREATE PUBLICATION dbz_publication FOR TABLES IN SCHEMA burst_bank;
    END IF;
END $$;

-- A few customers before the connector starts: they arrive as snapshot
-- reads (op = 'r').
INSERT INTO burst_bank.customer VALUES
    ('C01', 'Alice',   'Boston',  'MA', 720, '2022-06-01'),
    ('C02', 'Bob',     'Austin',  'TX', 680, '2024-01-15'),
    ('C03', 'Carol',   'Denver',  'CO', 750, '2024-03-15')
ON CONFLICT (custkey) DO NOTHING;
