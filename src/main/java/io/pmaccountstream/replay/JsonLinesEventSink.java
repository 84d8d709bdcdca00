package io.pmaccountstream.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes events as JSON lines: one object per line, first a {@code type} field ({@code
 * status-transition} or {@code unimmr-level}), then the fields of the Avro record in schema order,
 * as {@link FieldValues} renders them. Pandas reads it with {@code pd.read_json(path, lines=True,
 * dtype=False)}; keep {@code dtype=False} so decimals stay exact strings.
 */
public final class JsonLinesEventSink implements EventSink {

  public static final String TRANSITION_TYPE = "status-transition";
  public static final String LEVEL_TYPE = "unimmr-level";

  private final Path path;
  private final BufferedWriter out;
  private final JsonGenerator json;
  private long written;

  public JsonLinesEventSink(Path path) {
    this.path = path;
    try {
      this.out = Files.newBufferedWriter(path);
      this.json = new JsonFactory().createGenerator(out);
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
    json.setRootValueSeparator(null);
  }

  @Override
  public void transition(AccountStatusTransition event) {
    write(TRANSITION_TYPE, event);
  }

  @Override
  public void levelEvent(UniMmrLevelEvent event) {
    write(LEVEL_TYPE, event);
  }

  private void write(String type, SpecificRecord event) {
    try {
      json.writeStartObject();
      json.writeStringField("type", type);
      FieldValues.writeFields(json, event);
      json.writeEndObject();
      json.writeRaw('\n');
      written++;
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      json.close();
    } catch (IOException e) {
      throw new ReplayException("cannot finish writing " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> destinations() {
    return List.of(path + " (" + written + " events, JSON lines)");
  }
}
