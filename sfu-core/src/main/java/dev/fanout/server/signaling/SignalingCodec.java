package dev.fanout.server.signaling;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses client messages and writes server messages of protocol version {@value #VERSION}
 * (docs/protocol.md). Transport-independent: text in, text out.
 */
public final class SignalingCodec {
  public static final int VERSION = 1;
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_DEPTH = 16;

  static {
    JSON.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxStringLength(256 * 1024).build());
  }

  /**
   * Reads exactly one JSON object per message: trailing data (garbage or a second object) and
   * repeated keys are errors, not silently ignored or last-wins.
   */
  private static final ObjectReader READER = JSON.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private SignalingCodec() {}

  /**
   * Parses one request. A message whose id can be read but is otherwise invalid throws with that
   * id attached, so the error response can be correlated.
   */
  public static Request parse(String text) throws RequestException {
    JsonNode root;
    try {
      root = READER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new RequestException(null, ErrorCode.INVALID_MESSAGE,
          "message is not one valid JSON object (no trailing data, no repeated keys)");
    }
    if (root == null || !root.isObject()) {
      throw new RequestException(null, ErrorCode.INVALID_MESSAGE, "message must be a JSON object");
    }
    JsonNode id = root.get("id");
    if (id != null && !(id.isIntegralNumber() || id.isTextual())) {
      throw new RequestException(null, ErrorCode.INVALID_MESSAGE, "id must be an integer or a string");
    }
    if (id != null && id.isTextual() && id.asText().length() > 64) {
      throw new RequestException(null, ErrorCode.INVALID_MESSAGE, "id must be at most 64 characters");
    }
    JsonNode v = root.get("v");
    // Compared as the exact integer: asInt() would wrap 4294967297 to 1.
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() != VERSION) {
      throw new RequestException(id, ErrorCode.UNSUPPORTED_VERSION,
          "this server speaks protocol version " + VERSION + "; send \"v\":" + VERSION);
    }
    if (id == null) {
      throw new RequestException(null, ErrorCode.INVALID_MESSAGE, "id is required");
    }
    JsonNode method = root.get("method");
    if (method == null || !method.isTextual() || method.asText().isEmpty()) {
      throw new RequestException(id, ErrorCode.INVALID_MESSAGE, "method must be a non-empty string");
    }
    JsonNode params = root.get("params");
    ObjectNode p;
    if (params == null || params.isNull()) {
      p = JsonNodeFactory.instance.objectNode();
    } else if (params instanceof ObjectNode o) {
      p = o;
    } else {
      throw new RequestException(id, ErrorCode.INVALID_MESSAGE, "params must be an object");
    }
    return new Request(id, method.asText(), p);
  }

  /** {@code {"v":1,"id":…,"result":{…}}}. */
  public static String result(JsonNode id, JsonNode result) {
    ObjectNode m = JSON.createObjectNode();
    m.put("v", VERSION);
    m.set("id", id);
    m.set("result", result == null ? JSON.createObjectNode() : result);
    return write(m);
  }

  /** {@code {"v":1,"id":…,"error":{"code":…,"message":…}}}; id is null when unknown. */
  public static String error(JsonNode id, ErrorCode code, String message) {
    ObjectNode m = JSON.createObjectNode();
    m.put("v", VERSION);
    m.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id);
    ObjectNode e = m.putObject("error");
    e.put("code", code.name());
    e.put("message", message);
    return write(m);
  }

  /** {@code {"v":1,"event":…,"data":{…}}}. */
  public static String event(String name, JsonNode data) {
    ObjectNode m = JSON.createObjectNode();
    m.put("v", VERSION);
    m.put("event", name);
    m.set("data", data == null ? JSON.createObjectNode() : data);
    return write(m);
  }

  private static String write(ObjectNode m) {
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A message that cannot be handled, with whatever id could be read. */
  public static final class RequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient JsonNode id;
    private final ErrorCode code;

    RequestException(JsonNode id, ErrorCode code, String message) {
      super(message, null, false, false);
      this.id = id;
      this.code = code;
    }

    public JsonNode id() {
      return id;
    }

    public ErrorCode code() {
      return code;
    }
  }
}
