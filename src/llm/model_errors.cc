#include "llm/model_errors.h"

#include "util/json.h"
#include "util/strings.h"

namespace bastion::llm {
namespace {

constexpr std::string_view kOverflowTag = "context window exceeded";
constexpr std::string_view kToolsTag = "rejected tool calling";

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

std::string with_status(const ErrorContext& ctx, long status) {
  return ctx.endpoint + " (HTTP " + std::to_string(status) + ")";
}

}  // namespace

std::string error_body_message(std::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  if (!j.is_discarded()) {
    if (j.is_object()) {
      auto it = j.find("error");
      if (it != j.end()) {
        if (it->is_string()) return it->get<std::string>();
        if (it->is_object()) {
          std::string m = json_string(*it, "message");
          if (!m.empty()) return m;
        }
      }
      for (const char* k : {"message", "detail", "msg"}) {
        std::string m = json_string(j, k);
        if (!m.empty()) return m;
      }
      if (j.contains("detail")) return dump_json(j["detail"]);
    }
  }
  return str::truncate_utf8(str::trim(body), 500);
}

bool looks_like_context_overflow(std::string_view text) {
  std::string t = str::to_lower(text);
  static const char* kPatterns[] = {
      "context_length_exceeded",        // OpenAI error code
      "maximum context length",         // OpenAI, vLLM, DeepSeek
      "longer than the maximum model length",   // vLLM decoder prompt
      "is too long and exceeds limit",  // vLLM input prompt
      "longer than the model's context length", // SGLang
      "exceeds the available context size",     // llama.cpp
      "exceed_context_size",            // llama.cpp error type
      "range of input length should be",        // DashScope
      "input length exceeds",           // DashScope
      "prompt is too long",             // Anthropic
      "context window",                 // generic
      "too many tokens",
      "reduce the length of the messages",
  };
  for (const char* p : kPatterns) {
    if (contains(t, p)) return true;
  }
  return false;
}

bool looks_like_tools_rejected(std::string_view text) {
  std::string t = str::to_lower(text);
  return contains(t, "enable-auto-tool-choice") || contains(t, "tool-call-parser") ||
         contains(t, "does not support tools") || contains(t, "tools param requires") ||
         contains(t, "--jinja") || contains(t, "tool_choice") ||
         (contains(t, "tool") && (contains(t, "not supported") || contains(t, "unsupported")));
}

Error http_error(const ErrorContext& ctx, long status, std::string_view body,
                 double retry_after_seconds) {
  std::string detail = error_body_message(body);
  std::string at = with_status(ctx, status);
  std::string msg;
  ErrorKind kind = ErrorKind::kModel;
  if (looks_like_context_overflow(detail) && (status == 400 || status == 413 || status == 422 ||
                                              status == 500)) {
    msg = std::string(kOverflowTag) + ": the request is longer than model '" + ctx.model +
          "' accepts at " + at + ": " + detail + " — compact the conversation (/compact) or start a new one";
  } else if (status == 401 || status == 403) {
    kind = ErrorKind::kConfig;
    msg = status == 401
              ? "the endpoint rejected the API key (HTTP 401) — set " + ctx.api_key_hint +
                    " to a valid key for " + ctx.endpoint + ": " + detail
              : "the endpoint refused access (HTTP 403) at " + ctx.endpoint +
                    " — check that your key may use model '" + ctx.model + "': " + detail;
  } else if (status == 404) {
    kind = ErrorKind::kNotFound;
    std::string lower = str::to_lower(detail);
    if (contains(lower, "model") || contains(lower, ctx.model.empty() ? "\x01" : str::to_lower(ctx.model))) {
      msg = "model '" + ctx.model + "' not found at " + at + ": " + detail +
            " — run `bastion models` to see what the endpoint serves, then set BASTION_MODEL or --model";
    } else {
      msg = "the URL was not found at " + at + ": " + detail +
            " — check the base URL (OpenAI-compatible servers usually end in /v1) and the model '" +
            ctx.model + "' (`bastion models` lists what it serves)";
    }
  } else if (status == 400 && looks_like_tools_rejected(detail)) {
    msg = "the server " + std::string(kToolsTag) + " at " + at + ": " + detail +
          " — start vLLM/SGLang with --enable-auto-tool-choice --tool-call-parser qwen3_coder "
          "(or hermes), llama.cpp with --jinja, or pick a model whose template supports tools";
  } else if (status == 429) {
    msg = "rate limited by " + at + ": " + detail + " — wait and retry, or lower the request rate";
  } else if (status >= 500) {
    msg = "server error at " + at + ": " + detail + " — the endpoint failed; retry later or check its logs";
  } else {
    kind = ErrorKind::kModel;
    msg = "the endpoint rejected the request at " + at + ": " + detail;
  }
  Error e(kind, msg);
  e.http_status = static_cast<int>(status);
  e.retry_after_seconds = retry_after_seconds;
  return e;
}

Error stream_error(const ErrorContext& ctx, std::string_view message, std::string_view type) {
  std::string m(message);
  std::string t = str::to_lower(type);
  Error e(ErrorKind::kModel, "");
  if (looks_like_context_overflow(m)) {
    e.message = std::string(kOverflowTag) + ": " + ctx.endpoint + " reported: " + m +
                " — compact the conversation (/compact) or start a new one";
  } else if (t == "overloaded_error" || contains(str::to_lower(m), "overloaded")) {
    e.message = ctx.endpoint + " is overloaded: " + m + " — retry later";
    e.http_status = 529;
  } else if (t == "rate_limit_error") {
    e.message = "rate limited by " + ctx.endpoint + ": " + m;
    e.http_status = 429;
  } else {
    e.message = ctx.endpoint + " sent an error mid-reply: " + m +
                (t.empty() ? "" : " (" + std::string(type) + ")");
    if (t == "api_error" || t == "server_error" || t == "internal_server_error") e.http_status = 500;
  }
  return e;
}

bool is_context_overflow(const Error& e) {
  return e.kind == ErrorKind::kModel && str::starts_with(e.message, kOverflowTag);
}

bool is_tools_rejected(const Error& e) {
  return e.kind == ErrorKind::kModel && contains(e.message, kToolsTag);
}

bool is_transient(const Error& e) {
  if (is_context_overflow(e)) return false;
  if (e.http_status == 429 || e.http_status == 529 || e.http_status >= 500) return true;
  if (e.kind != ErrorKind::kNetwork) return false;
  const std::string& m = e.message;
  if (contains(m, "cannot resolve") || contains(m, "TLS") || contains(m, "malformed") ||
      contains(m, "connection refused")) {
    return false;  // retrying will not help; say so at once
  }
  return true;  // resets, drops mid-reply, timeouts
}

}  // namespace bastion::llm
