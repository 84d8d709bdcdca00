package io.pmaccountstream.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The two kinds of kustomize {@code patches} entry the fallback renderer applies, as kustomize
 * does, for what these manifests' overlays use; anything else fails:
 *
 * <ul>
 *   <li>a strategic merge patch (one or more documents, each naming its resource by kind and name):
 *       maps merge, {@code null} removes a field, the lists Kubernetes merges by a key ({@link
 *       #MERGE_KEYS}) merge item by item, where {@code $patch: delete} removes the item with that
 *       key; any other list is replaced;
 *   <li>a JSON 6902 patch (a list of operations) on every resource a {@code target} of kind and
 *       name selects: {@code add}, {@code remove}, {@code replace}; a path that is not there fails,
 *       as in kustomize.
 * </ul>
 */
final class KustomizePatches {

  /** The patch merge keys of the lists in these manifests' pod specs (Kubernetes' API types). */
  static final Map<String, String> MERGE_KEYS =
      Map.of(
          "containers", "name",
          "initContainers", "name",
          "volumes", "name",
          "volumeMounts", "mountPath",
          "env", "name",
          "ports", "containerPort");

  private static final String DIRECTIVE = "$patch";

  private KustomizePatches() {}

  /**
   * Applies one {@code patches} entry (its text) to the documents rendered so far: a YAML list is a
   * JSON 6902 patch, documents of maps a strategic merge patch.
   */
  static void apply(String text, JsonNode target, List<ObjectNode> documents, Path dir) {
    JsonNode first = Manifests.readYaml(text);
    if (first != null && first.isArray()) {
      for (ObjectNode document : select(target, documents, dir)) {
        for (JsonNode operation : first) {
          json6902(document, operation, dir);
        }
      }
      return;
    }
    if (!target.isMissingNode()) {
      throw new IllegalStateException(
          "the fallback renderer does not support a target on a strategic merge patch in " + dir);
    }
    for (ObjectNode patch : Manifests.documents(text)) {
      ObjectNode document = named(patch, documents, dir);
      mergeObject(document, patch, dir);
    }
  }

  private static List<ObjectNode> select(JsonNode target, List<ObjectNode> documents, Path dir) {
    target
        .fieldNames()
        .forEachRemaining(
            field -> {
              if (!field.equals("kind") && !field.equals("name")) {
                throw new IllegalStateException(
                    "the fallback renderer does not support target." + field + " in " + dir);
              }
            });
    if (!target.has("kind")) {
      throw new IllegalStateException("a JSON 6902 patch without target.kind in " + dir);
    }
    List<ObjectNode> selected = new ArrayList<>();
    for (ObjectNode document : documents) {
      if (document.path("kind").asText().equals(target.path("kind").asText())
          && (!target.has("name")
              || document
                  .path("metadata")
                  .path("name")
                  .asText()
                  .equals(target.path("name").asText()))) {
        selected.add(document);
      }
    }
    if (selected.isEmpty()) {
      throw new IllegalStateException(
          "no resource matches the patch target " + target + " in " + dir);
    }
    return selected;
  }

  private static ObjectNode named(ObjectNode patch, List<ObjectNode> documents, Path dir) {
    String kind = patch.path("kind").asText();
    String name = patch.path("metadata").path("name").asText();
    return documents.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .filter(d -> d.path("apiVersion").asText().equals(patch.path("apiVersion").asText()))
        .filter(d -> d.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("no " + kind + "/" + name + " to patch, in " + dir));
  }

  // --- strategic merge -------------------------------------------------------------------------

  private static void mergeObject(ObjectNode into, ObjectNode patch, Path dir) {
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.startsWith("$")) {
        throw new IllegalStateException(
            "the fallback renderer does not support the directive " + name + " in " + dir);
      }
      if (value.isNull()) {
        into.remove(name);
      } else if (value.isObject() && into.path(name).isObject()) {
        mergeObject((ObjectNode) into.get(name), (ObjectNode) value, dir);
      } else if (value.isArray() && into.path(name).isArray() && MERGE_KEYS.containsKey(name)) {
        mergeList((ArrayNode) into.get(name), (ArrayNode) value, MERGE_KEYS.get(name), dir);
      } else {
        into.set(name, withoutDirectives(value, dir));
      }
    }
  }

  private static void mergeList(ArrayNode into, ArrayNode patch, String key, Path dir) {
    for (JsonNode item : patch) {
      if (!item.isObject() || !item.has(key)) {
        throw new IllegalStateException(
            "an item without its merge key '" + key + "' in a patch: " + item + ", in " + dir);
      }
      int index = indexOf(into, key, item.get(key));
      String directive = item.path(DIRECTIVE).asText("merge");
      switch (directive) {
        case "delete" -> {
          // As kustomize: deleting an item that is not there changes nothing.
          if (index >= 0) {
            into.remove(index);
          }
        }
        case "merge" -> {
          if (index >= 0) {
            mergeObject((ObjectNode) into.get(index), (ObjectNode) item, dir);
          } else {
            into.add(withoutDirectives(item, dir));
          }
        }
        default ->
            throw new IllegalStateException(
                "the fallback renderer does not support $patch: " + directive + " in " + dir);
      }
    }
  }

  private static int indexOf(ArrayNode list, String key, JsonNode value) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).path(key).equals(value)) {
        return i;
      }
    }
    return -1;
  }

  private static JsonNode withoutDirectives(JsonNode value, Path dir) {
    if (value.isObject()) {
      value
          .fieldNames()
          .forEachRemaining(
              name -> {
                if (name.startsWith("$")) {
                  throw new IllegalStateException(
                      "the fallback renderer does not support the directive "
                          + name
                          + " where nothing is merged, in "
                          + dir);
                }
              });
    }
    value.forEach(child -> withoutDirectives(child, dir));
    return value;
  }

  // --- JSON 6902 -------------------------------------------------------------------------------

  private static void json6902(ObjectNode document, JsonNode operation, Path dir) {
    String op = operation.path("op").asText();
    String path = operation.path("path").asText();
    List<String> tokens = pointer(path, dir);
    JsonNode parent = document;
    for (String token : tokens.subList(0, tokens.size() - 1)) {
      parent = child(parent, token);
      if (parent == null) {
        throw new IllegalStateException(op + " " + path + ": no such path in " + name(document));
      }
    }
    String last = tokens.get(tokens.size() - 1);
    switch (op) {
      case "replace" -> {
        if (child(parent, last) == null) {
          throw new IllegalStateException(
              "replace " + path + ": no such path in " + name(document));
        }
        set(parent, last, operation.get("value"));
      }
      case "add" -> {
        if (parent instanceof ArrayNode array) {
          if (last.equals("-")) {
            array.add(operation.get("value"));
          } else {
            array.insert(index(array, last, array.size(), path), operation.get("value"));
          }
        } else {
          ((ObjectNode) parent).set(last, operation.get("value"));
        }
      }
      case "remove" -> {
        if (child(parent, last) == null) {
          throw new IllegalStateException("remove " + path + ": no such path in " + name(document));
        }
        if (parent instanceof ArrayNode array) {
          array.remove(Integer.parseInt(last));
        } else {
          ((ObjectNode) parent).remove(last);
        }
      }
      default ->
          throw new IllegalStateException(
              "the fallback renderer does not support the JSON 6902 op '" + op + "' in " + dir);
    }
  }

  private static List<String> pointer(String path, Path dir) {
    if (!path.startsWith("/")) {
      throw new IllegalStateException("not a JSON pointer: '" + path + "' in " + dir);
    }
    List<String> tokens = new ArrayList<>();
    for (String token : path.substring(1).split("/", -1)) {
      tokens.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  private static JsonNode child(JsonNode parent, String token) {
    if (parent instanceof ArrayNode array) {
      if (!token.matches("\\d+") || Integer.parseInt(token) >= array.size()) {
        return null;
      }
      return array.get(Integer.parseInt(token));
    }
    return parent instanceof ObjectNode object ? object.get(token) : null;
  }

  private static void set(JsonNode parent, String token, JsonNode value) {
    if (parent instanceof ArrayNode array) {
      array.set(Integer.parseInt(token), value);
    } else {
      ((ObjectNode) parent).set(token, value);
    }
  }

  private static int index(ArrayNode array, String token, int max, String path) {
    if (!token.matches("\\d+") || Integer.parseInt(token) > max) {
      throw new IllegalStateException("add " + path + ": index out of range");
    }
    return Integer.parseInt(token);
  }

  private static String name(ObjectNode document) {
    return document.path("kind").asText() + "/" + document.path("metadata").path("name").asText();
  }
}
