package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.serde.SchemaRegistryException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLetterProcessingHandlerTest {

  private static final byte[] KEY = "acct-1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = {0, 0, 0, 0, 1, 42};

  private final DeadLetterProcessingHandler handler = configured();

  private static DeadLetterProcessingHandler configured() {
    DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
    handler.configure(
        Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "derive.dlq"));
    return handler;
  }

  private static final ErrorHandlerContext CONTEXT =
      new ErrorHandlerContext() {
        @Override
        public String topic() {
          return "pm.account.snapshots";
        }

        @Override
        public int partition() {
          return 2;
        }

        @Override
        public long offset() {
          return 77;
        }

        @Override
        public Headers headers() {
          return new RecordHeaders().add("origin", "poller".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String processorNodeId() {
          return DerivationTopology.PROCESSOR;
        }

        @Override
        public TaskId taskId() {
          return new TaskId(0, 2);
        }

        @Override
        public long timestamp() {
          return 1_732_363_200_000L;
        }

        @Override
        public byte[] sourceRawKey() {
          return KEY;
        }

        @Override
        public byte[] sourceRawValue() {
          return VALUE;
        }
      };

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void anExceptionInTheDerivationDeadLettersTheSourceRecordAndResumes() {
    Response response =
        handler.handleError(
            CONTEXT,
            new Record<>("acct-1", "decoded", 0L),
            new ArithmeticException("Rounding necessary"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
    assertThat(letter.topic()).isEqualTo("derive.dlq");
    assertThat(letter.key()).isEqualTo(KEY);
    assertThat(letter.value()).isEqualTo(VALUE);
    assertThat(letter.timestamp()).isEqualTo(1_732_363_200_000L);
    assertThat(header(letter, DeadLetters.REASON)).isEqualTo(RecordFailures.PROCESSING_FAILED);
    assertThat(header(letter, DeadLetters.DETAIL))
        .isEqualTo("ArithmeticException: Rounding necessary");
    assertThat(header(letter, DeadLetters.EXCEPTION))
        .isEqualTo(ArithmeticException.class.getName());
    assertThat(header(letter, DeadLetters.TOPIC)).isEqualTo("pm.account.snapshots");
    assertThat(header(letter, DeadLetters.PARTITION)).isEqualTo("2");
    assertThat(header(letter, DeadLetters.OFFSET)).isEqualTo("77");
    assertThat(header(letter, "origin")).isEqualTo("poller");
  }

  @Test
  void aDataDependentSerializationFailureIsTheRecordsFault() {
    Response response =
        handler.handleError(
            CONTEXT,
            new Record<>("acct-1", "x", 0L),
            new SerializationException("too many digits"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
  }

  @Test
  void aRegistryOutageWhileReadingOrWritingStateHoldsProcessingBack() {
    SchemaRegistryException outage =
        SchemaRegistryException.unreachable(
            "register a schema", "http://127.0.0.1:1", new ConnectException("refused"));

    Response response =
        handler.handleError(
            CONTEXT,
            new Record<>("acct-1", "x", 0L),
            new SerializationException("cannot register", outage));

    assertThat(response.result()).isEqualTo(Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void aKafkaFailureHoldsProcessingBack() {
    Response response =
        handler.handleError(
            CONTEXT, new Record<>("acct-1", "x", 0L), new KafkaException("store closed"));

    assertThat(response.result()).isEqualTo(Result.FAIL);
  }

  @Test
  void refusesToRunWithoutADeadLetterTopic() {
    assertThatThrownBy(() -> new DeadLetterProcessingHandler().configure(Map.of()))
        .hasMessageContaining(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
  }
}
