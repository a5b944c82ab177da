-- The tutorial's MERGE in DuckDB (1.4+ has MERGE INTO), over the view
-- customer_changes (changes_json.sql or changes_parquet.sql, which turn
-- registration_date into a DATE) into customer_consume (consume.sql).
-- Two changes to the tutorial's statement, for one cause: ts_ms (the time
-- the connector built the event, in ms) ties when a row changes twice within
-- a millisecond, e.g. in one transaction.
--   * source.lsn, which grows with every change of a row, breaks the tie in
--     ROW_NUMBER (the tutorial selects it but does not use it);
--   * the UPDATE applies when a.ts_ms <= latest ts_ms (the tutorial: <), so
--     a MERGE that ran between two changes of the same millisecond does not
--     keep the first one forever. Re-applying the same change is harmless.
MERGE INTO customer_consume AS a
USING (
    SELECT
        coalesce(before.custkey, after.custkey) AS custkey,
        after.first_name,
        after.city,
        after.state,
        after.fico,
        after.registration_date,
        ts_ms,
        op,
        ROW_NUMBER() OVER (PARTITION BY coalesce(before.custkey, after.custkey)
                           ORDER BY ts_ms DESC, source.lsn DESC) AS row_num,
        source.lsn
    FROM
        customer_changes
) latest_changes
ON a.custkey = latest_changes.custkey AND latest_changes.row_num = 1
WHEN MATCHED AND latest_changes.op = 'd' THEN DELETE
WHEN MATCHED AND a.ts_ms <= latest_changes.ts_ms THEN UPDATE
    SET
        custkey = latest_changes.custkey,
        first_name = latest_changes.first_name,
        city = latest_changes.city,
        state = latest_changes.state,
        fico = latest_changes.fico,
        registration_date = latest_changes.registration_date,
        ts_ms = latest_changes.ts_ms
WHEN NOT MATCHED AND latest_changes.row_num = 1 AND latest_changes.op != 'd' THEN
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
