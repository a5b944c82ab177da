----Merge Statement
-- The tutorial's MERGE with its placeholders filled, and three changes, all
-- marked "Wharf:":
--   * registration_date arrives as io.debezium.time.Date (days since
--     1970-01-01, an INTEGER) and the consume column is a DATE;
--   * ts_ms (the time the connector built the event, in milliseconds) ties
--     when one row changes twice within a millisecond, e.g. in one
--     transaction: source.lsn, which grows with every change of a row,
--     breaks the tie (the tutorial selects it but does not use it), and the
--     UPDATE applies on <= (the tutorial: <) so that a MERGE run between two
--     changes of the same millisecond does not keep the first one forever.
MERGE INTO iceberg.burst_bank.customer_consume as a
USING (
    SELECT
        coalesce(before.custkey, after.custkey) as custkey,
        after.first_name,
        after.city,
        after.state,
        after.fico,
        date_add('day', after.registration_date, DATE '1970-01-01') as registration_date, -- Wharf: days → DATE
        ts_ms,
        op,
        ROW_NUMBER() OVER (PARTITION BY coalesce(before.custkey, after.custkey)
                           ORDER BY ts_ms DESC, source.lsn DESC) as row_num, -- Wharf: lsn breaks ties
        source.lsn
    FROM
        hive.burst_bank.customer_changes
) latest_changes
ON a.custkey = latest_changes.custkey AND latest_changes.row_num = 1
WHEN MATCHED and latest_changes.op = 'd' THEN DELETE
WHEN MATCHED AND a.ts_ms <= latest_changes.ts_ms THEN UPDATE -- Wharf: <=
    SET
        custkey = latest_changes.custkey,
        first_name = latest_changes.first_name,
        city = latest_changes.city,
        state = latest_changes.state,
        fico = latest_changes.fico,
        registration_date = latest_changes.registration_date,
        ts_ms = latest_changes.ts_ms
WHEN NOT MATCHED and latest_changes.row_num = 1 and latest_changes.op != 'd' THEN
    INSERT (custkey, first_name, city, state, fico, registration_date, ts_ms)
    VALUES (
        latest_changes.custkey,
        latest_changes.first_name,
        latest_changes.city,
        latest_changes.state,
        latest_changes.fico,
        latest_changes.registration_date,
        latest_changes.ts_ms
    );
