package dev.fanout.server.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One client request: {@code {"v":1,"id":…,"method":"…","params":{…}}}. Accessors throw
 * {@link SignalingException} with {@link ErrorCode#INVALID_PARAMS} naming the bad parameter.
 */
public record Request(JsonNode id, String method, ObjectNode params) {

  public String string(String name) throws SignalingException {
    JsonNode n = params.get(name);
    if (n == null || n.isNull()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " is required");
    }
    if (!n.isTextual()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must be a string");
    }
    return n.asText();
  }

  public String optionalString(String name) throws SignalingException {
    JsonNode n = params.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must be a string");
    }
    return n.asText();
  }

  public boolean bool(String name) throws SignalingException {
    JsonNode n = params.get(name);
    if (n == null || !n.isBoolean()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must be true or false");
    }
    return n.asBoolean();
  }

  public boolean optionalBool(String name, boolean otherwise) throws SignalingException {
    JsonNode n = params.get(name);
    if (n == null || n.isNull()) {
      return otherwise;
    }
    if (!n.isBoolean()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must be true or false");
    }
    return n.asBoolean();
  }

  public long integer(String name) throws SignalingException {
    JsonNode n = params.get(name);
    if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must be an integer");
    }
    return n.asLong();
  }

  /** An array of objects (possibly empty when absent and {@code required} is false). */
  public List<ObjectNode> objects(String name, boolean required) throws SignalingException {
    JsonNode n = params.get(name);
    if (n == null || n.isNull()) {
      if (required) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " is required");
      }
      return List.of();
    }
    if (!n.isArray()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must be an array");
    }
    List<ObjectNode> out = new ArrayList<>(n.size());
    for (JsonNode e : n) {
      if (!(e instanceof ObjectNode o)) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must hold objects");
      }
      out.add(o);
    }
    return out;
  }

  /** An array of strings. */
  public List<String> strings(String name, boolean required) throws SignalingException {
    JsonNode n = params.get(name);
    if (n == null || n.isNull()) {
      if (required) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " is required");
      }
      return List.of();
    }
    if (!n.isArray()) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must be an array");
    }
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "params." + name + " must hold strings");
      }
      out.add(e.asText());
    }
    return out;
  }
}
