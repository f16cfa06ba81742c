#include "text_tool_calls.h"

namespace bastion::fake_server {
namespace {

using Json = nlohmann::json;

// Qwen3-Coder's chat template writes strings raw and everything else as JSON.
std::string qwen3_value(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string render_qwen3_xml(const Json& call) {
  std::string out = "<tool_call>\n<function=" + call.value("name", "") + ">\n";
  const Json& args = call.contains("arguments") ? call["arguments"] : Json::object();
  if (args.is_object()) {
    for (auto it = args.begin(); it != args.end(); ++it) {
      out += "<parameter=" + it.key() + ">\n" + qwen3_value(it.value()) + "\n</parameter>\n";
    }
  }
  out += "</function>\n</tool_call>";
  return out;
}

// Hermes templates emit Python's json.dumps spacing at the top level.
std::string render_hermes(const Json& call) {
  const Json& args = call.contains("arguments") ? call["arguments"] : Json::object();
  std::string args_text = args.is_string() ? args.get<std::string>() : args.dump();
  return "<tool_call>\n{\"name\": " + Json(call.value("name", "")).dump() +
         ", \"arguments\": " + args_text + "}\n</tool_call>";
}

}  // namespace

std::string render_text_tool_calls(const Json& spec, std::string* error) {
  if (!spec.is_object() || !spec.contains("calls") || !spec["calls"].is_array()) {
    *error = "text_tool_calls needs {\"format\", \"calls\": [...]}";
    return "";
  }
  std::string format = spec.value("format", "qwen3_xml");
  if (format != "qwen3_xml" && format != "hermes") {
    *error = "text_tool_calls.format must be qwen3_xml or hermes, got " + format;
    return "";
  }
  std::string out;
  for (const Json& call : spec["calls"]) {
    if (!call.is_object() || !call.contains("name") || !call["name"].is_string()) {
      *error = "each text tool call needs a string \"name\"";
      return "";
    }
    if (!out.empty()) out += "\n";
    out += format == "hermes" ? render_hermes(call) : render_qwen3_xml(call);
  }
  return out;
}

}  // namespace bastion::fake_server
