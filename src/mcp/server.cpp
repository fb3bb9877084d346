#include "mcp/server.hpp"

#include <exception>
#include <variant>

#include "base/json_text.hpp"
#include "base/log.hpp"
#include "mcp/schema.hpp"
#include "mcp/tools.hpp"

namespace ipfsa::mcp {
namespace json = boost::json;
namespace {

// Version features (spec changelogs): tool annotations from 2025-03-26; tool titles and
// structuredContent from 2025-06-18; batches only in 2025-03-26 (and allowed by the JSON-RPC 2.0
// of 2024-11-05); input validation failures as tool errors from 2025-11-25 (SEP-1303).
// Version strings are dates, so they compare in order.
bool at_least(std::string_view version, std::string_view since) { return version >= since; }
bool batches_allowed(std::string_view version) {
  return !version.empty() && version <= "2025-03-26";
}

constexpr std::string_view kInstructions =
    "ipfs-accelerate: a peer-to-peer cache of GitHub API responses. Use gh_api / gh_graphql / "
    "list_workflow_runs / list_runners to read GitHub through the cache (answers carry "
    "cache_status), "
    "get_peer_status and get_cache_stats to see the node and the swarm.";

json::object error_object(const json::value& id, int code, std::string_view message) {
  json::object error;
  error["code"] = code;
  error["message"] = message;
  json::object reply;
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["error"] = std::move(error);
  return reply;
}

json::object result_object(const json::value& id, json::value result) {
  json::object reply;
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["result"] = std::move(result);
  return reply;
}

bool valid_id(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

// A request's failure: the JSON-RPC error code and message.
struct Failure {
  int code;
  std::string message;
};

}  // namespace

bool is_supported_version(std::string_view version) noexcept {
  for (auto v : kSupportedVersions) {
    if (v == version) return true;
  }
  return false;
}

Server::Server(node::ServiceBackend& backend, ServerInfo info)
    : backend_(backend), info_(std::move(info)) {}

std::string Server::error_reply(int code, std::string_view message) {
  return json::serialize(error_object(nullptr, code, message));
}

std::optional<std::string> Server::handle_message(std::string_view text, Session& session) const {
  return handle(text, session).reply;
}

namespace {

class Dispatch {
 public:
  Dispatch(node::ServiceBackend& backend, const ServerInfo& info, Session& session,
           Outcome& outcome)
      : backend_(backend), info_(info), session_(session), outcome_(outcome) {}

  // One message (not a batch). nullopt: nothing to answer.
  std::optional<json::object> one(const json::value& message, bool in_batch) {
    const auto* object = message.if_object();
    if (object == nullptr)
      return error_object(nullptr, kInvalidRequest, "a JSON-RPC message must be an object");
    const auto* id = object->if_contains("id");
    const json::value reply_id = id != nullptr && valid_id(*id) ? *id : json::value(nullptr);
    const auto* version = object->if_contains("jsonrpc");
    if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
      return error_object(reply_id, kInvalidRequest, "jsonrpc must be \"2.0\"");
    }
    const auto* method = object->if_contains("method");
    if (method == nullptr) {
      // A response to a request of ours (we send none) or garbage.
      if (id != nullptr && (object->contains("result") || object->contains("error")))
        return std::nullopt;
      return error_object(reply_id, kInvalidRequest, "not a request, notification or response");
    }
    if (!method->is_string())
      return error_object(reply_id, kInvalidRequest, "method must be a string");
    const auto* params = object->if_contains("params");
    if (params != nullptr && !params->is_object()) {
      if (id == nullptr) return std::nullopt;
      return error_object(reply_id, kInvalidParams, "params must be an object");
    }
    static const json::object kEmpty;
    const json::object& p = params != nullptr ? params->get_object() : kEmpty;
    if (id == nullptr) {
      notification(method->get_string(), p);
      return std::nullopt;
    }
    // MCP: "the ID MUST NOT be null"; JSON-RPC: string or number (MCP: integer).
    if (!valid_id(*id))
      return error_object(nullptr, kInvalidRequest, "id must be a string or an integer");
    outcome_.had_requests = true;
    try {
      auto result = request(method->get_string(), p, in_batch);
      if (auto* failure = std::get_if<Failure>(&result)) {
        return error_object(*id, failure->code, failure->message);
      }
      return result_object(*id, std::move(std::get<json::value>(result)));
    } catch (const std::exception& e) {
      log::error("mcp: {} failed: {}", std::string_view(method->get_string()), e.what());
      return error_object(*id, kInternalError, "internal error");
    }
  }

 private:
  void notification(std::string_view method, const json::object&) {
    if (method == "notifications/initialized" && session_.initialized) session_.client_ready = true;
    // notifications/cancelled: every request is answered synchronously, nothing to cancel.
    // Unknown notifications are ignored, as JSON-RPC asks.
  }

  std::variant<json::value, Failure> request(std::string_view method, const json::object& params,
                                             bool in_batch) {
    if (method == "ping") return json::value(json::object{});
    if (method == "initialize") return initialize(params, in_batch);
    if (!session_.initialized) {
      return Failure{kInvalidRequest, "the session is not initialized: send initialize first"};
    }
    if (method == "tools/list") return tools_list(params);
    if (method == "tools/call") return tools_call(params);
    return Failure{kMethodNotFound, "method not found: " + std::string(method.substr(0, 128))};
  }

  std::variant<json::value, Failure> initialize(const json::object& params, bool in_batch) {
    if (in_batch) return Failure{kInvalidRequest, "initialize must not be part of a batch"};
    if (session_.initialized) return Failure{kInvalidRequest, "the session is already initialized"};
    const auto* asked = params.if_contains("protocolVersion");
    if (asked == nullptr || !asked->is_string()) {
      return Failure{kInvalidParams, "initialize needs params.protocolVersion (a string)"};
    }
    const auto* capabilities = params.if_contains("capabilities");
    if (capabilities != nullptr && !capabilities->is_object()) {
      return Failure{kInvalidParams, "params.capabilities must be an object"};
    }
    const auto* client = params.if_contains("clientInfo");
    if (client != nullptr && !client->is_object())
      return Failure{kInvalidParams, "params.clientInfo must be an object"};
    // Lifecycle, version negotiation: the client's version if we support it, else our latest.
    const std::string_view wanted = asked->get_string();
    session_.protocol_version = std::string(is_supported_version(wanted) ? wanted : kLatestVersion);
    session_.initialized = true;
    if (client != nullptr) {
      if (const auto* name = client->get_object().if_contains("name");
          name != nullptr && name->is_string()) {
        session_.client_name = std::string(
            name->get_string().subview(0, std::min<std::size_t>(name->get_string().size(), 128)));
      }
    }
    outcome_.initialized_now = true;
    log::info("mcp: session initialized (client {}, protocol {} asked {})", session_.client_name,
              session_.protocol_version, std::string_view(wanted).substr(0, 32));
    json::object result;
    result["protocolVersion"] = session_.protocol_version;
    result["capabilities"] = json::object{{"tools", json::object{{"listChanged", false}}}};
    result["serverInfo"] = json::object{{"name", info_.name}, {"version", info_.version}};
    result["instructions"] = kInstructions;
    return json::value(std::move(result));
  }

  std::variant<json::value, Failure> tools_list(const json::object& params) {
    if (const auto* cursor = params.if_contains("cursor"); cursor != nullptr) {
      // One page holds every tool, so no cursor we issued exists.
      return Failure{kInvalidParams, "unknown cursor"};
    }
    const std::string_view v = session_.protocol_version;
    json::array list;
    for (const auto& tool : tools()) {
      json::object t;
      t["name"] = tool.name;
      if (at_least(v, "2025-06-18")) t["title"] = tool.title;
      t["description"] = tool.description;
      t["inputSchema"] = input_schema(tool);
      if (at_least(v, "2025-03-26")) {
        t["annotations"] = json::object{{"title", tool.title},
                                        {"readOnlyHint", tool.read_only},
                                        {"destructiveHint", false},
                                        {"idempotentHint", true},
                                        {"openWorldHint", tool.open_world}};
      }
      list.emplace_back(std::move(t));
    }
    return json::value(json::object{{"tools", std::move(list)}});
  }

  std::variant<json::value, Failure> tools_call(const json::object& params) {
    const auto* name = params.if_contains("name");
    if (name == nullptr || !name->is_string())
      return Failure{kInvalidParams, "tools/call needs params.name (a string)"};
    const Tool* tool = find_tool(name->get_string());
    if (tool == nullptr) {
      return Failure{
          kInvalidParams,
          "unknown tool: " + std::string(name->get_string().subview(
                                 0, std::min<std::size_t>(name->get_string().size(), 128)))};
    }
    static const json::value kNoArguments = json::object{};
    const auto* arguments = params.if_contains("arguments");
    if (arguments == nullptr || arguments->is_null()) arguments = &kNoArguments;
    const std::string_view v = session_.protocol_version;
    if (auto why = validate(*arguments, input_schema(*tool)); !why.empty()) {
      // 2025-11-25 (SEP-1303): a tool execution error the model can read and correct; before:
      // -32602.
      if (!at_least(v, "2025-11-25"))
        return Failure{kInvalidParams,
                       "invalid arguments for " + std::string(tool->name) + ": " + why};
      return tool_result(ToolOutput{true, {}, "invalid arguments: " + why});
    }
    ToolOutput output;
    try {
      output = tool->run(backend_, arguments->get_object());
    } catch (const std::exception& e) {
      log::error("mcp: tool {} failed: {}", tool->name, e.what());
      output = ToolOutput{true, {}, "internal error in " + std::string(tool->name)};
    }
    log::debug("mcp: tool {} -> {}", tool->name, output.is_error ? "error" : "ok");
    return tool_result(std::move(output));
  }

  json::value tool_result(ToolOutput output) {
    const bool structured = at_least(session_.protocol_version, "2025-06-18");
    json::object result;
    std::string text = output.data.empty() ? output.message : json_text(output.data);
    if (output.is_error && !output.data.empty()) text = output.message + "\n" + text;
    json::array content;
    content.emplace_back(json::object{{"type", "text"}, {"text", std::move(text)}});
    result["content"] = std::move(content);
    if (structured && !output.data.empty()) result["structuredContent"] = std::move(output.data);
    result["isError"] = output.is_error;
    return result;
  }

  node::ServiceBackend& backend_;
  const ServerInfo& info_;
  Session& session_;
  Outcome& outcome_;
};

}  // namespace

Outcome Server::handle(std::string_view text, Session& session) const {
  Outcome outcome;
  if (text.size() > kMaxMessageBytes) {
    outcome.reply = error_reply(kInvalidRequest, "message larger than kMaxMessageBytes (" +
                                                     std::to_string(kMaxMessageBytes) + " bytes)");
    return outcome;
  }
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value message = json::parse(text, ec, {}, options);
  if (ec) {
    outcome.reply = error_reply(kParseError, "parse error: " + ec.message());
    return outcome;
  }
  Dispatch dispatch(backend_, info_, session, outcome);
  if (!message.is_array()) {
    if (auto reply = dispatch.one(message, false)) outcome.reply = json_text(*reply);
    return outcome;
  }
  const auto& batch = message.get_array();
  if (!batches_allowed(session.protocol_version)) {
    outcome.reply = error_reply(kInvalidRequest, session.protocol_version.empty()
                                                     ? "batches are not accepted before initialize"
                                                     : "batches are not part of protocol version " +
                                                           session.protocol_version);
    return outcome;
  }
  if (batch.empty()) {
    outcome.reply = error_reply(kInvalidRequest, "empty batch");
    return outcome;
  }
  if (batch.size() > kMaxBatch) {
    outcome.reply = error_reply(kInvalidRequest, "batch of more than kMaxBatch (" +
                                                     std::to_string(kMaxBatch) + ") messages");
    return outcome;
  }
  json::array replies;
  for (const auto& m : batch) {
    if (auto reply = dispatch.one(m, true)) replies.emplace_back(std::move(*reply));
  }
  if (!replies.empty()) outcome.reply = json_text(replies);
  return outcome;
}

}  // namespace ipfsa::mcp
