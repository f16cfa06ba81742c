// todo: the model's task list. Each call replaces the whole list; at most
// one item may be in progress. Returns the rendered list.
#include "tools/core_tools.h"
#include "tools/tool_util.h"

namespace bastion::tools {
namespace {

class TodoTool : public Tool {
 public:
  TodoTool() {
    spec_.name = "todo";
    spec_.description =
        "Replace your task list. Use for multi-step work; keep at most one item in_progress.";
    Json item = {{"type", "object"},
                 {"properties",
                  {{"content", {{"type", "string"}}},
                   {"status",
                    {{"type", "string"},
                     {"enum", Json::array({"pending", "in_progress", "completed"})}}}}},
                 {"required", Json::array({"content", "status"})}};
    spec_.parameters = object_schema({{"todos", {{"type", "array"}, {"items", item}}}}, {"todos"});
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kSession; }

  CallSubject subject(const Json& args, const ToolContext& ctx) const override {
    CallSubject s;
    s.summary = "update todo list";
    return s;
  }

  ToolResult run(const Json& args, ToolContext& ctx) override {
    if (!args.is_object() || !args.contains("todos") || !args["todos"].is_array())
      return error_result("`todos` must be an array of {content, status}");
    std::vector<TodoItem> items;
    int in_progress = 0;
    for (const Json& t : args["todos"]) {
      TodoItem item{json_string(t, "content"), json_string(t, "status", "pending")};
      if (item.content.empty()) return error_result("every todo needs a non-empty `content`");
      if (item.status != "pending" && item.status != "in_progress" && item.status != "completed")
        return error_result("status must be pending, in_progress or completed (got \"" +
                            item.status + "\")");
      in_progress += item.status == "in_progress";
      items.push_back(std::move(item));
    }
    if (in_progress > 1)
      return error_result("only one todo may be in_progress at a time (got " +
                          std::to_string(in_progress) + ")");
    ctx.todos = std::move(items);
    ToolResult r;
    Json list = Json::array();
    size_t done = 0;
    for (const auto& t : ctx.todos) {
      const char* box = t.status == "completed" ? "[x] " : t.status == "in_progress" ? "[>] " : "[ ] ";
      r.output += box + t.content + "\n";
      done += t.status == "completed";
      list.push_back({{"content", t.content}, {"status", t.status}});
    }
    if (ctx.todos.empty()) r.output = "(todo list cleared)\n";
    else r.output += std::to_string(done) + "/" + std::to_string(ctx.todos.size()) + " done";
    r.meta["todos"] = std::move(list);
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

}  // namespace

std::unique_ptr<Tool> make_todo_tool() { return std::make_unique<TodoTool>(); }

}  // namespace bastion::tools
