package io.pmaccountstream.ops;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The process's meter registry: Prometheus, with common tags {@code app} and {@code instance} on
 * every meter, and the JVM binders (memory, GC, threads, class loading, processor, uptime) bound.
 * Components receive {@link #registry()} as a plain {@code MeterRegistry}; Kafka clients are bound
 * here once created:
 *
 * <pre>{@code
 * try (Metrics metrics = Metrics.prometheus("pm-account-stream", Metrics.defaultInstance())) {
 *   Producer<byte[], byte[]> producer = ...;
 *   metrics.bindProducer(producer);      // kafka_producer_* meters
 *   // derive: metrics.bindStreams(streams);  kafka_stream_* meters
 *   try (OpsServer server = OpsServer.start(opsConfig, metrics.registry(), health)) { ... }
 * }
 * }</pre>
 *
 * Closing unbinds the Kafka clients, stops the GC listener and closes the registry; close it after
 * the clients.
 */
public final class Metrics implements AutoCloseable {

  public static final String APP_TAG = "app";
  public static final String INSTANCE_TAG = "instance";

  private final PrometheusMeterRegistry registry;
  private final Deque<Runnable> unbinders = new ArrayDeque<>();

  private Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /** A Prometheus registry tagged with the application and instance, JVM metrics bound. */
  public static Metrics prometheus(String app, String instance) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(instance, "instance");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(Tags.of(APP_TAG, app, INSTANCE_TAG, instance));
    Metrics metrics = new Metrics(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    metrics.unbinders.push(gc::close);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return metrics;
  }

  /** The instance name: {@code HOSTNAME} (the pod name in Kubernetes), else the local host name. */
  public static String defaultInstance() {
    String hostname = System.getenv("HOSTNAME");
    if (hostname != null && !hostname.isBlank()) {
      return hostname;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Binds a producer's metrics ({@code kafka_producer_*}); unbound on {@link #close()}. */
  public KafkaClientMetrics bindProducer(Producer<?, ?> producer) {
    KafkaClientMetrics binder = new KafkaClientMetrics(producer);
    bind(binder, binder::close);
    return binder;
  }

  /** Binds a consumer's metrics ({@code kafka_consumer_*}); unbound on {@link #close()}. */
  public KafkaClientMetrics bindConsumer(Consumer<?, ?> consumer) {
    KafkaClientMetrics binder = new KafkaClientMetrics(consumer);
    bind(binder, binder::close);
    return binder;
  }

  /** Binds an admin client's metrics ({@code kafka_admin_client_*}); unbound on close. */
  public KafkaClientMetrics bindAdmin(AdminClient admin) {
    KafkaClientMetrics binder = new KafkaClientMetrics(admin);
    bind(binder, binder::close);
    return binder;
  }

  /**
   * Binds a Streams application's metrics ({@code kafka_stream_*} and its clients'); unbound on
   * close.
   */
  public KafkaStreamsMetrics bindStreams(KafkaStreams streams) {
    KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
    bind(binder, binder::close);
    return binder;
  }

  private synchronized void bind(MeterBinder binder, Runnable unbind) {
    binder.bindTo(registry);
    unbinders.push(unbind);
  }

  @Override
  public synchronized void close() {
    while (!unbinders.isEmpty()) {
      unbinders.pop().run();
    }
    registry.close();
  }
}
