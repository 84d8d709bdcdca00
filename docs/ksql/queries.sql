-- Queries risk users write against the sources of streams.sql.

-- Accounts below 1.2 now (pull query on the materialized latest-state table).
SELECT ACCOUNTID, UNIMMR, ACCOUNTSTATUS, OBSERVEDAT
  FROM pm_account_latest
  WHERE UNIMMR < 1.2;

-- Transitions into REDUCE_ONLY in the last hour (pull query on a stream; ROWTIME is observedAt in
-- epoch milliseconds).
SELECT ACCOUNTID, PREVIOUSSTATUS, STATUS, UNIMMR, OBSERVEDAT
  FROM pm_account_status_transitions
  WHERE STATUS = 'REDUCE_ONLY'
    AND ROWTIME >= UNIX_TIMESTAMP() - 3600000;

-- The same, live: every new transition into REDUCE_ONLY as it happens (push query).
SELECT ACCOUNTID, PREVIOUSSTATUS, STATUS, UNIMMR, OBSERVEDAT
  FROM pm_account_status_transitions
  WHERE STATUS = 'REDUCE_ONLY'
  EMIT CHANGES;

-- Every account that got worse, with the status it came from (push query).
SELECT ACCOUNTID, PREVIOUSSTATUS, STATUS, UNIMMR
  FROM pm_account_status_transitions
  WHERE DIRECTION = 'WORSENED'
  EMIT CHANGES;

-- Breaches of the liquidation level (1.05) per account and day (windowed aggregation).
SELECT ACCOUNTID, COUNT(*) AS BREACHES, MIN(UNIMMR) AS LOWEST_UNIMMR
  FROM pm_account_low_unimmr
  WINDOW TUMBLING (SIZE 1 DAY)
  WHERE KIND = 'BREACHED' AND LEVEL = 1.05
  GROUP BY ACCOUNTID
  EMIT CHANGES;

-- Episodes below 1.2 per account and day: breaches and recoveries at level 1.2 (windowed
-- aggregation; STILL_BELOW is breaches not recovered within the day). ksqlDB has no LEAD to pair a
-- breach with its recovery, so the time below 1.2 itself is docs/sql/flink-queries.sql's
-- time-below-1.2-per-account-per-day (Flink SQL, checked by FlinkSqlIT).
SELECT ACCOUNTID,
       SUM(CASE WHEN KIND = 'BREACHED' THEN 1 ELSE 0 END) AS BREACHES,
       SUM(CASE WHEN KIND = 'RECOVERED' THEN 1 ELSE 0 END) AS RECOVERIES,
       SUM(CASE WHEN KIND = 'BREACHED' THEN 1 ELSE -1 END) AS STILL_BELOW,
       MIN(UNIMMR) AS LOWEST_UNIMMR
  FROM pm_account_low_unimmr
  WINDOW TUMBLING (SIZE 1 DAY)
  WHERE LEVEL = 1.2
  GROUP BY ACCOUNTID
  EMIT CHANGES;

-- riskLevelChange pushes of the user-data streams as they arrive (push query; ROWTIME is eventTime).
SELECT ACCOUNTID, RISKLEVEL, UNIMMR, EVENTTIME, RECEIVEDAT
  FROM pm_account_risk_level_changes
  EMIT CHANGES;

-- Accounts currently in a liquidation status (pull query).
SELECT ACCOUNTID, ACCOUNTSTATUS, UNIMMR, ACCOUNTEQUITY, ACCOUNTMAINTMARGIN
  FROM pm_account_latest
  WHERE ACCOUNTSTATUS IN ('ACTIVE_LIQUIDATION', 'FORCE_LIQUIDATION');
