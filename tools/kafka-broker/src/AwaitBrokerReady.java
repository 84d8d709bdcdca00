import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * Waits until a broker answers a metadata request (describeCluster) with at least one node.
 *
 * <p>Run by bin/local-stack as a single-file program on the broker's classpath: {@code java -cp CP
 * AwaitBrokerReady.java BOOTSTRAP TIMEOUT_SECONDS}. Exit code 0 when ready, 1 on timeout.
 */
public final class AwaitBrokerReady {

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = args[0];
    Instant deadline = Instant.now().plusSeconds(Long.parseLong(args[1]));
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    String lastError = "no answer";
    try (Admin admin = Admin.create(config)) {
      while (Instant.now().isBefore(deadline)) {
        try {
          Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          if (!nodes.isEmpty()) {
            System.out.println("broker ready at " + bootstrap + ", nodes: " + nodes);
            return;
          }
          lastError = "metadata lists no broker yet";
        } catch (ExecutionException | TimeoutException e) {
          lastError = e.toString();
        }
        Thread.sleep(Duration.ofMillis(300).toMillis());
      }
    }
    System.err.println("broker at " + bootstrap + " not ready in time: " + lastError);
    System.exit(1);
  }
}
