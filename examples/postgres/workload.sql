-- Changes for the connectors to capture: inserts, updates, deletes, a
-- primary-key change, several rows touched twice in one transaction, and a
-- customer deleted and inserted again.
--   psql -U postgres -d postgres -f examples/postgres/workload.sql

INSERT INTO burst_bank.customer VALUES
    ('C04', 'Dan',     'Seattle',  'WA', 640, '2023-02-10'),
    ('C05', 'Erin',    'Miami',    'FL', 810, '2023-05-22'),
    ('C06', 'Frank',   'Chicago',  'IL', 590, '2023-07-04'),
    ('C07', 'Grace',   'Portland', 'OR', 700, '2023-09-30'),
    ('C08', 'Heidi',   'Phoenix',  'AZ', 665, '2023-11-11');

UPDATE burst_bank.customer SET fico = 760 WHERE custkey = 'C03';
UPDATE burst_bank.customer SET city = 'Cambridge' WHERE custkey = 'C01';
DELETE FROM burst_bank.customer WHERE custkey = 'C02';

BEGIN;
UPDATE burst_bank.customer SET fico = fico + 15 WHERE state IN ('WA', 'FL', 'IL');
UPDATE burst_bank.customer SET fico = fico - 5 WHERE custkey = 'C05';
INSERT INTO burst_bank.customer VALUES ('C09', 'Ivan', 'Reno', 'NV', 610, '2024-02-29');
COMMIT;

-- A primary-key change: Debezium emits a delete of C06 and a create of C66.
UPDATE burst_bank.customer SET custkey = 'C66', city = 'Evanston' WHERE custkey = 'C06';

-- Deleted and back again: the latest change wins.
DELETE FROM burst_bank.customer WHERE custkey = 'C07';
INSERT INTO burst_bank.customer VALUES ('C07', 'Grace', 'Salem', 'OR', 705, '2023-09-30');

DELETE FROM burst_bank.customer WHERE custkey = 'C08';
UPDATE burst_bank.customer SET first_name = 'Robert', state = 'TX' WHERE custkey = 'C09';

SELECT * FROM burst_bank.customer ORDER BY custkey;
