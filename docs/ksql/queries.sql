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

-- Accounts currently in a liquidation status (pull query).
SELECT ACCOUNTID, ACCOUNTSTATUS, UNIMMR, ACCOUNTEQUITY, ACCOUNTMAINTMARGIN
  FROM pm_account_latest
  WHERE ACCOUNTSTATUS IN ('ACTIVE_LIQUIDATION', 'FORCE_LIQUIDATION');
