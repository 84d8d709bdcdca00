-- ksqlDB sources over the pm-account-stream topics.
--
-- Requires ksqlDB 0.23+ (Confluent Platform 7.1+) with ksql.schema.registry.url pointing at the
-- registry the pipeline uses. Value columns are inferred from the registry (subjects
-- <topic>-value); only the key is declared. ksqlDB upper-cases Avro field names: accountId is
-- ACCOUNTID, uniMMR is UNIMMR. Decimals arrive as DECIMAL(38, 8), enums as STRING, nullable fields
-- as nullable columns, timestamp-millis fields as TIMESTAMP (BIGINT on ksqlDB versions before
-- timestamp inference). The key is the account id as a plain string (KEY_FORMAT 'KAFKA'); it is
-- named ACCOUNT_KEY because the value already has an ACCOUNTID column.
--
-- ROWTIME of every source is observedAt (when the account was observed, not when the record was
-- written), except the push topic's, which is eventTime (when Binance generated the event). Run
-- with: SET 'auto.offset.reset' = 'earliest'; to read the history.

-- Every snapshot the poller published (a stream of facts).
CREATE STREAM IF NOT EXISTS pm_account_snapshots (
    account_key STRING KEY
  ) WITH (
    KAFKA_TOPIC = 'pm.account.snapshots',
    KEY_FORMAT = 'KAFKA',
    VALUE_FORMAT = 'AVRO',
    TIMESTAMP = 'observedAt'
  );

-- Status transitions: PREVIOUSSTATUS -> STATUS with DIRECTION; PREVIOUSSTATUS is null on the first
-- observation of an account.
CREATE STREAM IF NOT EXISTS pm_account_status_transitions (
    account_key STRING KEY
  ) WITH (
    KAFKA_TOPIC = 'pm.account.status-transitions',
    KEY_FORMAT = 'KAFKA',
    VALUE_FORMAT = 'AVRO',
    TIMESTAMP = 'observedAt'
  );

-- uniMMR level events: KIND is BREACHED or RECOVERED, LEVEL the configured level.
CREATE STREAM IF NOT EXISTS pm_account_low_unimmr (
    account_key STRING KEY
  ) WITH (
    KAFKA_TOPIC = 'pm.account.low-unimmr',
    KEY_FORMAT = 'KAFKA',
    VALUE_FORMAT = 'AVRO',
    TIMESTAMP = 'observedAt'
  );

-- The latest accepted snapshot per account (compacted topic): current state, queryable with pull
-- queries because a SOURCE TABLE is materialized.
CREATE SOURCE TABLE IF NOT EXISTS pm_account_latest (
    account_key STRING PRIMARY KEY
  ) WITH (
    KAFKA_TOPIC = 'pm.account.latest',
    KEY_FORMAT = 'KAFKA',
    VALUE_FORMAT = 'AVRO',
    TIMESTAMP = 'observedAt'
  );

-- riskLevelChange events of the user-data streams (binance.user.stream.enabled), as Binance pushed
-- them: guidance ahead of the poll they trigger; the snapshots stay the authoritative state.
CREATE STREAM IF NOT EXISTS pm_account_risk_level_changes (
    account_key STRING KEY
  ) WITH (
    KAFKA_TOPIC = 'pm.account.risk-level-changes',
    KEY_FORMAT = 'KAFKA',
    VALUE_FORMAT = 'AVRO',
    TIMESTAMP = 'eventTime'
  );
