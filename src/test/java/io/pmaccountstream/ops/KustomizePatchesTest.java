package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fallback renderer's patches, on the shapes of k8s/overlays/plaintext. */
class KustomizePatchesTest {

  private static final Path DIR = Path.of("overlay");

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: app}
      spec:
        template:
          spec:
            containers:
              - name: app
                image: app
                volumeMounts:
                  - {name: config, mountPath: /etc/config}
                  - {name: ca, mountPath: /etc/ca}
            volumes:
              - {name: config, configMap: {name: config}}
              - {name: ca, secret: {secretName: ca}}
      """;

  private static final String POLICY =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: app}
      spec:
        egress:
          - ports: [{protocol: TCP, port: 53}]
          - ports: [{protocol: TCP, port: 9093}]
      """;

  @Test
  void aStrategicMergeDeleteRemovesTheItemsWithThatMergeKeyAndKeepsTheRest() {
    List<ObjectNode> documents = Manifests.documents(DEPLOYMENT);

    KustomizePatches.apply(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app}
        spec:
          template:
            spec:
              containers:
                - name: app
                  volumeMounts:
                    - {$patch: delete, mountPath: /etc/ca}
              volumes:
                - {$patch: delete, name: ca}
        """,
        MissingNode.getInstance(),
        documents,
        DIR);

    ObjectNode pod = (ObjectNode) documents.get(0).at("/spec/template/spec");
    assertThat(pod.at("/containers/0/volumeMounts").findValuesAsText("mountPath"))
        .containsExactly("/etc/config");
    assertThat(pod.at("/volumes"))
        .extracting(v -> v.path("name").asText())
        .containsExactly("config");
    assertThat(pod.at("/containers/0/image").asText())
        .as("fields not patched stay")
        .isEqualTo("app");
  }

  @Test
  void aJson6902ReplaceChangesTheValueAtItsPathInEveryTarget() {
    List<ObjectNode> documents = Manifests.documents(POLICY);

    KustomizePatches.apply(
        "- {op: replace, path: /spec/egress/1/ports/0/port, value: 9092}",
        Manifests.readYaml("kind: NetworkPolicy"),
        documents,
        DIR);

    assertThat(documents.get(0).at("/spec/egress/1/ports/0/port").asInt()).isEqualTo(9092);
    assertThat(documents.get(0).at("/spec/egress/0/ports/0/port").asInt()).isEqualTo(53);
  }

  @Test
  void aJson6902ReplaceOfAPathThatIsNotThereFailsAsInKustomize() {
    List<ObjectNode> documents = Manifests.documents(POLICY);

    assertThatThrownBy(
            () ->
                KustomizePatches.apply(
                    "- {op: replace, path: /spec/egress/2/ports/0/port, value: 9092}",
                    Manifests.readYaml("kind: NetworkPolicy"),
                    documents,
                    DIR))
        .hasMessageContaining("no such path");
  }

  @Test
  void aPatchOfAResourceThatIsNotRenderedFails() {
    List<ObjectNode> documents = Manifests.documents(DEPLOYMENT);

    assertThatThrownBy(
            () ->
                KustomizePatches.apply(
                    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: app}\n",
                    MissingNode.getInstance(),
                    documents,
                    DIR))
        .hasMessageContaining("StatefulSet/app");
  }

  @Test
  void aDirectiveItDoesNotImplementFailsInsteadOfBeingIgnored() {
    List<ObjectNode> documents = Manifests.documents(DEPLOYMENT);

    assertThatThrownBy(
            () ->
                KustomizePatches.apply(
                    """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: app}
                    spec:
                      template:
                        spec:
                          $setElementOrder/volumes: [{name: ca}]
                    """,
                    MissingNode.getInstance(),
                    documents,
                    DIR))
        .hasMessageContaining("$setElementOrder/volumes");
  }
}
