-- Flink SQL equivalents of the ksqlDB queries of docs/ksql/queries.sql, over the tables of
-- flink.sql. Run them in batch mode over what the topics hold now:
--   SET 'execution.runtime-mode' = 'batch';
--   SET 'table.local-time-zone' = 'UTC';  -- observedAt is UTC: LOCALTIMESTAMP must be too
--   ALTER TABLE pm_account_latest SET ('scan.bounded.mode' = 'latest-offset');  -- each table read
-- FlinkSqlIT runs each query below (by its "-- query:" name) and asserts its result.

-- query: accounts-below-1.2-now
-- The last accepted snapshot of each account, where uniMMR < 1.2 (ksqlDB: pull query on the
-- pm_account_latest table).
SELECT accountId, uniMMR, accountStatus, observedAt
FROM (
  SELECT accountId, uniMMR, accountStatus, observedAt,
         ROW_NUMBER() OVER (PARTITION BY accountId ORDER BY observedAt DESC) AS row_num
  FROM pm_account_latest)
WHERE row_num = 1 AND uniMMR < 1.2;

-- query: transitions-into-reduce-only-last-hour
-- ksqlDB: WHERE STATUS = 'REDUCE_ONLY' AND ROWTIME >= UNIX_TIMESTAMP() - 3600000.
SELECT accountId, previousStatus, status, uniMMR, observedAt
FROM pm_account_status_transitions
WHERE status = 'REDUCE_ONLY'
  AND observedAt >= LOCALTIMESTAMP - INTERVAL '1' HOUR;

-- query: time-below-1.2-per-account-per-day
-- Each BREACHED event at level 1.2 is paired with the account's next event at that level (its
-- RECOVERED); an episode counts on the UTC day it started. stillBelow counts episodes not yet
-- recovered, which add nothing to secondsBelow. (ksqlDB has no LEAD: its nearest query counts
-- breaches per day in a tumbling window.)
SELECT accountId,
       CAST(breachedAt AS DATE) AS breachDay,
       COUNT(*) AS breaches,
       SUM(CAST(TIMESTAMPDIFF(SECOND, breachedAt, recoveredAt) AS BIGINT)) AS secondsBelow,
       COUNT(*) - COUNT(recoveredAt) AS stillBelow
FROM (
  SELECT accountId, kind, observedAt AS breachedAt,
         LEAD(observedAt) OVER (PARTITION BY accountId ORDER BY observedAt) AS recoveredAt
  FROM pm_account_low_unimmr
  WHERE `level` = 1.2)
WHERE kind = 'BREACHED'
GROUP BY accountId, CAST(breachedAt AS DATE);

-- query: risk-level-pushes-last-two-hours
-- The user-data streams' riskLevelChange events of the last two hours, by Binance's eventTime
-- (ksqlDB: the push query on pm_account_risk_level_changes).
SELECT accountId, riskLevel, uniMMR, eventTime
FROM pm_account_risk_level_changes
WHERE eventTime >= LOCALTIMESTAMP - INTERVAL '2' HOUR;
