-- Flink SQL (Apache Flink 2.2) tables over the pm-account-stream topics.
--
-- Jars for the SQL client (lib/ or ADD JAR): flink-sql-connector-kafka-5.0.0-2.2.jar and
-- flink-sql-avro-confluent-registry-2.2.0.jar. 'avro-confluent' reads each record's writer schema
-- from the registry by the id in its Confluent wire-format header (Confluent's own client, shaded
-- in that jar); the columns below are the reader schema, field for field the Avro schemas of
-- schemas/. Change 'localhost:9092' and 'http://localhost:8081' to your broker and registry
-- (Apicurio: http://host:8080/apis/ccompat/v7).
--
-- Enums: 'avro-confluent' reads with a reader schema, by default derived from the columns, where a
-- STRING column is an Avro string, and Avro cannot resolve our enums to strings ("Found
-- io.pmaccountstream.avro.AccountStatus, expecting string"). So each table names its reader schema
-- ('value.avro-confluent.schema': our schema without docs, which Flink checks against the columns);
-- enum values then arrive as STRING. FlinkSqlIT checks each one equals the schema in schemas/.
--
-- Types, the same as ksqlDB's (docs/ksql/README.md): decimal(38,8) is DECIMAL(38, 8); enums are
-- STRING; timestamp-millis is TIMESTAMP(3), the UTC date and time ('avro-confluent' maps only
-- TIMESTAMP to timestamp-millis: TIMESTAMP_LTZ fails with "Unsupported to derive Schema"), so set
-- 'table.local-time-zone' = 'UTC' for LOCALTIMESTAMP and dates to be UTC too. Nullable unions are
-- nullable columns, every other field NOT NULL. The Kafka key is the account id as a plain UTF-8
-- string ('raw'), named account_key because the value already has accountId.
--
-- observedAt (when the account was observed, also the Kafka record timestamp) is the event time;
-- on the push topic, pm.account.risk-level-changes, it is eventTime. Read committed: the derived
-- topics are written in Kafka transactions (exactly-once).
--
-- docs/sql/README.md shows a session; FlinkSqlIT runs these statements on a real broker and
-- registry.

-- Every snapshot the poller published.
CREATE TABLE pm_account_snapshots (
  account_key STRING NOT NULL,
  accountId STRING NOT NULL,
  uniMMR DECIMAL(38, 8),
  accountEquity DECIMAL(38, 8) NOT NULL,
  actualEquity DECIMAL(38, 8) NOT NULL,
  accountInitialMargin DECIMAL(38, 8) NOT NULL,
  accountMaintMargin DECIMAL(38, 8) NOT NULL,
  accountStatus STRING NOT NULL,
  accountStatusRaw STRING NOT NULL,
  virtualMaxWithdrawAmount DECIMAL(38, 8),
  totalAvailableBalance DECIMAL(38, 8),
  totalMarginOpenLoss DECIMAL(38, 8),
  updateTime TIMESTAMP(3) NOT NULL,
  observedAt TIMESTAMP(3) NOT NULL,
  requestLatencyMs INT NOT NULL,
  usedWeight1m INT,
  pollerInstanceId STRING NOT NULL,
  `sequence` BIGINT NOT NULL,
  WATERMARK FOR observedAt AS observedAt - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'pm.account.snapshots',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'account_key',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081',
  'value.fields-include' = 'EXCEPT_KEY',
  -- The reader schema: schemas/AccountSnapshot.avsc without docs (see the note on enums above).
  'value.avro-confluent.schema' = '{"type": "record", "name": "AccountSnapshot", "namespace": "io.pmaccountstream.avro", "fields": [
    {"name": "accountId", "type": "string"},
    {"name": "uniMMR", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "accountEquity", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "actualEquity", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "accountInitialMargin", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "accountMaintMargin", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "accountStatus", "type": {"type": "enum", "name": "AccountStatus", "namespace": "io.pmaccountstream.avro", "symbols": ["UNKNOWN", "NORMAL", "MARGIN_CALL", "SUPPLY_MARGIN", "REDUCE_ONLY", "ACTIVE_LIQUIDATION", "FORCE_LIQUIDATION", "BANKRUPTED"], "default": "UNKNOWN"}},
    {"name": "accountStatusRaw", "type": "string"},
    {"name": "virtualMaxWithdrawAmount", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "totalAvailableBalance", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "totalMarginOpenLoss", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "updateTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "observedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "requestLatencyMs", "type": "int"},
    {"name": "usedWeight1m", "type": ["null", "int"], "default": null},
    {"name": "pollerInstanceId", "type": "string"},
    {"name": "sequence", "type": "long"}
  ]}'
);

-- Status transitions: previousStatus -> status with direction; previousStatus is null on the first
-- observation of an account.
CREATE TABLE pm_account_status_transitions (
  account_key STRING NOT NULL,
  eventId STRING NOT NULL,
  accountId STRING NOT NULL,
  previousStatus STRING,
  status STRING NOT NULL,
  statusRaw STRING NOT NULL,
  direction STRING NOT NULL,
  uniMMR DECIMAL(38, 8),
  accountEquity DECIMAL(38, 8) NOT NULL,
  accountMaintMargin DECIMAL(38, 8) NOT NULL,
  updateTime TIMESTAMP(3) NOT NULL,
  observedAt TIMESTAMP(3) NOT NULL,
  WATERMARK FOR observedAt AS observedAt - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'pm.account.status-transitions',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'account_key',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081',
  'value.fields-include' = 'EXCEPT_KEY',
  -- The reader schema: schemas/AccountStatusTransition.avsc without docs (see the note on enums above).
  'value.avro-confluent.schema' = '{"type": "record", "name": "AccountStatusTransition", "namespace": "io.pmaccountstream.avro", "fields": [
    {"name": "eventId", "type": "string"},
    {"name": "accountId", "type": "string"},
    {"name": "previousStatus", "type": ["null", {"type": "enum", "name": "AccountStatus", "namespace": "io.pmaccountstream.avro", "symbols": ["UNKNOWN", "NORMAL", "MARGIN_CALL", "SUPPLY_MARGIN", "REDUCE_ONLY", "ACTIVE_LIQUIDATION", "FORCE_LIQUIDATION", "BANKRUPTED"], "default": "UNKNOWN"}], "default": null},
    {"name": "status", "type": "AccountStatus"},
    {"name": "statusRaw", "type": "string"},
    {"name": "direction", "type": {"type": "enum", "name": "TransitionDirection", "symbols": ["UNKNOWN", "INITIAL", "WORSENED", "IMPROVED"], "default": "UNKNOWN"}},
    {"name": "uniMMR", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "accountEquity", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "accountMaintMargin", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "updateTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "observedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}}
  ]}'
);

-- uniMMR level events: kind is BREACHED or RECOVERED, level the configured level.
CREATE TABLE pm_account_low_unimmr (
  account_key STRING NOT NULL,
  eventId STRING NOT NULL,
  accountId STRING NOT NULL,
  `level` DECIMAL(38, 8) NOT NULL,
  kind STRING NOT NULL,
  uniMMR DECIMAL(38, 8) NOT NULL,
  previousUniMMR DECIMAL(38, 8),
  accountStatus STRING NOT NULL,
  updateTime TIMESTAMP(3) NOT NULL,
  observedAt TIMESTAMP(3) NOT NULL,
  WATERMARK FOR observedAt AS observedAt - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'pm.account.low-unimmr',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'account_key',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081',
  'value.fields-include' = 'EXCEPT_KEY',
  -- The reader schema: schemas/UniMmrLevelEvent.avsc without docs (see the note on enums above).
  'value.avro-confluent.schema' = '{"type": "record", "name": "UniMmrLevelEvent", "namespace": "io.pmaccountstream.avro", "fields": [
    {"name": "eventId", "type": "string"},
    {"name": "accountId", "type": "string"},
    {"name": "level", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "kind", "type": {"type": "enum", "name": "LevelEventKind", "symbols": ["UNKNOWN", "BREACHED", "RECOVERED"], "default": "UNKNOWN"}},
    {"name": "uniMMR", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "previousUniMMR", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "accountStatus", "type": {"type": "enum", "name": "AccountStatus", "namespace": "io.pmaccountstream.avro", "symbols": ["UNKNOWN", "NORMAL", "MARGIN_CALL", "SUPPLY_MARGIN", "REDUCE_ONLY", "ACTIVE_LIQUIDATION", "FORCE_LIQUIDATION", "BANKRUPTED"], "default": "UNKNOWN"}},
    {"name": "updateTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "observedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}}
  ]}'
);

-- The latest accepted snapshot per account (a compacted topic). Read as an append table, so it
-- works in batch mode and before compaction ran; the queries keep the last row per account.
CREATE TABLE pm_account_latest (
  account_key STRING NOT NULL,
  accountId STRING NOT NULL,
  uniMMR DECIMAL(38, 8),
  accountEquity DECIMAL(38, 8) NOT NULL,
  actualEquity DECIMAL(38, 8) NOT NULL,
  accountInitialMargin DECIMAL(38, 8) NOT NULL,
  accountMaintMargin DECIMAL(38, 8) NOT NULL,
  accountStatus STRING NOT NULL,
  accountStatusRaw STRING NOT NULL,
  virtualMaxWithdrawAmount DECIMAL(38, 8),
  totalAvailableBalance DECIMAL(38, 8),
  totalMarginOpenLoss DECIMAL(38, 8),
  updateTime TIMESTAMP(3) NOT NULL,
  observedAt TIMESTAMP(3) NOT NULL,
  requestLatencyMs INT NOT NULL,
  usedWeight1m INT,
  pollerInstanceId STRING NOT NULL,
  `sequence` BIGINT NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'pm.account.latest',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'account_key',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081',
  'value.fields-include' = 'EXCEPT_KEY',
  -- The reader schema: schemas/AccountSnapshot.avsc without docs (see the note on enums above).
  'value.avro-confluent.schema' = '{"type": "record", "name": "AccountSnapshot", "namespace": "io.pmaccountstream.avro", "fields": [
    {"name": "accountId", "type": "string"},
    {"name": "uniMMR", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "accountEquity", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "actualEquity", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "accountInitialMargin", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "accountMaintMargin", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "accountStatus", "type": {"type": "enum", "name": "AccountStatus", "namespace": "io.pmaccountstream.avro", "symbols": ["UNKNOWN", "NORMAL", "MARGIN_CALL", "SUPPLY_MARGIN", "REDUCE_ONLY", "ACTIVE_LIQUIDATION", "FORCE_LIQUIDATION", "BANKRUPTED"], "default": "UNKNOWN"}},
    {"name": "accountStatusRaw", "type": "string"},
    {"name": "virtualMaxWithdrawAmount", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "totalAvailableBalance", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "totalMarginOpenLoss", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "updateTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "observedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "requestLatencyMs", "type": "int"},
    {"name": "usedWeight1m", "type": ["null", "int"], "default": null},
    {"name": "pollerInstanceId", "type": "string"},
    {"name": "sequence", "type": "long"}
  ]}'
);

-- The user-data stream's riskLevelChange events (binance.user.stream.enabled): Binance's guidance
-- pushed ahead of the poll it triggers; the snapshot that poll publishes is the authoritative state.
-- The event time and the Kafka record timestamp are eventTime (Binance's clock), not observedAt.
CREATE TABLE pm_account_risk_level_changes (
  account_key STRING NOT NULL,
  accountId STRING NOT NULL,
  eventTime TIMESTAMP(3) NOT NULL,
  riskLevel STRING NOT NULL,
  uniMMR DECIMAL(38, 8),
  accountEquity DECIMAL(38, 8) NOT NULL,
  actualEquity DECIMAL(38, 8) NOT NULL,
  maintMargin DECIMAL(38, 8) NOT NULL,
  receivedAt TIMESTAMP(3) NOT NULL,
  pollerInstanceId STRING NOT NULL,
  WATERMARK FOR eventTime AS eventTime - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'pm.account.risk-level-changes',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'account_key',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081',
  'value.fields-include' = 'EXCEPT_KEY',
  -- The reader schema: schemas/RiskLevelChange.avsc without docs (no enums; named like the others).
  'value.avro-confluent.schema' = '{"type": "record", "name": "RiskLevelChange", "namespace": "io.pmaccountstream.avro", "fields": [
    {"name": "accountId", "type": "string"},
    {"name": "eventTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "riskLevel", "type": "string"},
    {"name": "uniMMR", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}], "default": null},
    {"name": "accountEquity", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "actualEquity", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "maintMargin", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 8}},
    {"name": "receivedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "pollerInstanceId", "type": "string"}
  ]}'
);
