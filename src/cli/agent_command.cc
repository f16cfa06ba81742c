// `bastion [flags]`: headless (-p) or interactive agent sessions.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/headless_output.h"
#include "cli/runtime.h"
#include "cli/subcommands.h"
#include "ui/interactive.h"

namespace bastion::cli {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int exit_code_for(const agent::RunOutcome& outcome) {
  switch (outcome.reason) {
    case agent::StopReason::kFinalAnswer: return kExitOk;
    case agent::StopReason::kBudget: return kExitBudget;
    default: return kExitError;
  }
}

RunSummary summarize(Runtime& rt, const agent::RunOutcome& outcome, int64_t started_ms) {
  RunSummary s;
  s.session_id = rt.session.id;
  s.model = rt.provider.config.model;
  s.outcome = outcome;
  s.usage = rt.agent->total_usage();
  s.duration_ms = now_ms() - started_ms;
  s.redactions = rt.redactor.redaction_count();
  if (rt.services) {
    s.cost_usd = rt.services->session_cost_usd;
    s.context_window = rt.services->model_info.context_window;
    s.context_tokens = context_tokens(rt);
  }
  return s;
}

int run_headless(Runtime& rt) {
  std::string prompt = rt.options.prompt.value_or("");
  if (prompt.empty() || prompt == "-") {
    if (::isatty(STDIN_FILENO)) {
      std::fprintf(stderr, "bastion: -p needs a prompt: bastion -p \"what to do\" (or pipe it on stdin)\n");
      return kExitUsage;
    }
    prompt.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (prompt.find_first_not_of(" \t\r\n") == std::string::npos) {
    std::fprintf(stderr, "bastion: the prompt is empty\n");
    return kExitUsage;
  }
  HeadlessOutput out(rt.options.output_format, stdout);
  std::vector<std::string> tool_names;
  for (auto& s : rt.registry.specs()) tool_names.push_back(s.name);
  out.start(rt.session.id, rt.provider.config.model, rt.workspace, tool_names,
            policy::permission_mode_name(rt.permissions.mode()));
  rt.agent->set_event_sink(&out);
  int64_t started = now_ms();
  agent::RunOutcome outcome = rt.agent->run(prompt);
  finish_session_audit(rt, agent::stop_reason_name(outcome.reason));
  for (auto& n : rt.notices) std::fprintf(stderr, "bastion: %s\n", n.c_str());
  out.finish(summarize(rt, outcome, started));
  return exit_code_for(outcome);
}

// Minimal interactive mode: one prompt per line, streamed answers. The
// terminal UI replaces this when stdin and stdout are terminals.
class PlainInteractiveSink : public agent::EventSink {
 public:
  void on_event(const agent::AgentEvent& e) override {
    using K = agent::AgentEvent::Kind;
    if (e.kind == K::kTextDelta) {
      std::fputs(e.text.c_str(), stdout);
      std::fflush(stdout);
    } else if (e.kind == K::kToolCallStart && e.call) {
      std::printf("\n· %s %s\n", e.call->name.c_str(), e.call->arguments.substr(0, 120).c_str());
    } else if (e.kind == K::kToolResult && e.result) {
      std::string first = e.result->output.substr(0, e.result->output.find('\n'));
      std::printf("  %s%s\n", e.result->is_error ? "error: " : "", first.substr(0, 160).c_str());
    } else if (e.kind == K::kNotice) {
      std::fprintf(stderr, "bastion: %s\n", e.text.c_str());
    }
  }
};

int run_plain_interactive(Runtime& rt) {
  PlainInteractiveSink sink;
  rt.agent->set_event_sink(&sink);
  std::fprintf(stderr, "bastion · %s · session %s · type /exit to quit\n", rt.provider.config.model.c_str(),
               rt.session.id.c_str());
  std::string first = rt.options.prompt.value_or("");
  std::string line;
  for (;;) {
    if (!first.empty()) {
      line = first;
      first.clear();
    } else {
      std::fputs("> ", stdout);
      std::fflush(stdout);
      if (!std::getline(std::cin, line)) break;
    }
    if (line == "/exit" || line == "/quit") break;
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    agent::RunOutcome outcome = rt.agent->run(line);
    std::fputc('\n', stdout);
    if (outcome.reason != agent::StopReason::kFinalAnswer) std::fprintf(stderr, "bastion: %s\n", outcome.error.c_str());
  }
  finish_session_audit(rt, "user_exit");
  return kExitOk;
}

}  // namespace

int run_agent_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (auto& a : args) {
    if (a == "--help-flags") {
      std::fputs(agent_flags_help().c_str(), stdout);
      return kExitOk;
    }
  }
  auto options = parse_agent_options(args);
  if (!options.ok()) {
    std::fprintf(stderr, "bastion: %s\n", options.error().message.c_str());
    return kExitUsage;
  }
  auto rt = build_runtime(*options);
  if (!rt.ok()) {
    std::fprintf(stderr, "bastion: %s\n", rt.error().message.c_str());
    return rt.error().kind == ErrorKind::kBudget ? kExitBudget : kExitError;
  }
  for (auto& n : (*rt)->notices) std::fprintf(stderr, "bastion: %s\n", n.c_str());
  (*rt)->notices.clear();
  if (options->headless) return run_headless(**rt);
  if (::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) {
    Runtime& r = **rt;
    ui::InteractiveSession s{*r.agent, r.permissions, r.registry, r.context};
    s.sessions = r.sessions.get();
    s.session_id = r.session.id;
    s.workspace = r.workspace;
    s.model = r.provider.config.model;
    s.initial_prompt = r.options.prompt.value_or("");
    if (r.services) {
      s.context_window = r.services->model_info.context_window;
      s.cost_usd = [&r] { return r.services->session_cost_usd; };
    }
    s.context_tokens = [&r] { return context_tokens(r); };
    s.compact = [&r] { return compact_now(r); };
    s.set_interrupt_check = [&r](std::function<bool()> f) { r.interrupt_check = std::move(f); };
    s.on_session_switched = [&r](const store::SessionInfo& info) {  // /resume, /clear
      r.session = info;
      switch_session_audit(r, "switched to another session");
    };
    return ui::run_interactive(s);
  }
  return run_plain_interactive(**rt);
}

}  // namespace bastion::cli
