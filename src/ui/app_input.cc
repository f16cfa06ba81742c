// Key handling for the App: editing, submit, Esc/Ctrl-C, Shift+Tab mode
// cycling, Ctrl-R history search, Ctrl-O expand, Tab @path completion, and
// the y/a/n answers of a permission prompt.
#include <algorithm>

#include "index/walker.h"
#include "ui/app.h"
#include "policy/settings.h"
#include "ui/rule_saver.h"
#include "ui/style.h"
#include "ui/tool_view.h"

namespace bastion::ui {
namespace {

// "/exit" or "/quit", ignoring surrounding blanks.
bool is_exit_command(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\n");
  size_t e = text.find_last_not_of(" \t\n");
  if (b == std::string::npos) return false;
  std::string cmd = text.substr(b, e - b + 1);
  return cmd == "/exit" || cmd == "/quit";
}

}  // namespace

void App::handle_approval_key(const Key& key) {
  auto answer = [this](agent::Approval a, const std::string& shown) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      approval_answer_ = std::move(a);
    }
    cv_.notify_all();
    approval_open_ = false;
    approval_note_mode_ = false;
    commit(paint(Color::kGray, "  → " + shown));
  };
  if (approval_note_mode_) {
    if (key.type == KeyType::kEnter) {
      std::string note = editor_.text();
      editor_.set_text(saved_input_);
      answer(agent::Approval{false, false, note}, note.empty() ? "no" : "no: " + note);
    } else if (key.type == KeyType::kEsc) {
      editor_.set_text(saved_input_);
      answer(agent::Approval{false, false, ""}, "no");
    } else if (key.type == KeyType::kText) {
      editor_.insert(key.text);
    } else if (key.type == KeyType::kBackspace) {
      editor_.backspace();
    }
    return;
  }
  if (key.type != KeyType::kText && key.type != KeyType::kEsc && key.type != KeyType::kCtrlC) return;
  std::string t = key.text;
  if (t == "y" || t == "Y") {
    answer(agent::Approval{true, false, ""}, "yes");
  } else if (t == "a" || t == "A") {
    answer(agent::Approval{true, true, ""}, "yes, always this session");
  } else if (t == "s" || t == "S") {
    std::string rule;
    {
      std::lock_guard<std::mutex> lock(mu_);
      rule = approval_rule_;
    }
    Status st = save_allow_rule(policy::user_settings_path(), rule);
    answer(agent::Approval{true, true, ""}, st.ok() ? "yes, always; saved rule " + rule + " to " + policy::user_settings_path()
                                                    : "yes, this session (" + st.error().message + ")");
  } else if (t == "n" || t == "N") {
    approval_note_mode_ = true;
    saved_input_ = editor_.text();
    editor_.clear();
  } else if (key.type == KeyType::kEsc || key.type == KeyType::kCtrlC) {
    interrupt_ = true;
    answer(agent::Approval{false, false, "the user interrupted"}, "no (interrupted)");
  }
}

void App::handle_search_key(const Key& key) {
  switch (key.type) {
    case KeyType::kText:
      search_query_ += key.text;
      search_index_ = editor_.search_history(search_query_, static_cast<int>(editor_.history().size()));
      break;
    case KeyType::kBackspace:
      if (!search_query_.empty()) search_query_.pop_back();
      search_index_ = editor_.search_history(search_query_, static_cast<int>(editor_.history().size()));
      break;
    case KeyType::kCtrlR:
      if (search_index_ > 0) {
        int next = editor_.search_history(search_query_, search_index_);
        if (next >= 0) search_index_ = next;
      }
      break;
    case KeyType::kEnter:
    case KeyType::kRight:
    case KeyType::kEnd:
      if (search_index_ >= 0) editor_.set_text(editor_.history()[search_index_]);
      search_mode_ = false;
      break;
    default:
      search_mode_ = false;
      break;
  }
}

void App::complete_path() {
  const std::string& text = editor_.text();
  size_t cur = editor_.cursor();
  size_t at = text.rfind('@', cur == 0 ? 0 : cur - 1);
  if (at == std::string::npos || text.find_first_of(" \n", at) < cur) return;
  std::string partial = text.substr(at + 1, cur - at - 1);
  index::WalkOptions opts;
  std::vector<std::string> matches;
  for (auto& f : index::list_files(s_.workspace, opts)) {
    if (f.find(partial) != std::string::npos) matches.push_back(f);
    if (matches.size() > 200) break;
  }
  if (matches.empty()) {
    flash_ = "no file matches @" + partial;
    return;
  }
  // Prefer prefix matches, then the shortest.
  std::stable_sort(matches.begin(), matches.end(), [&](const std::string& a, const std::string& b) {
    bool pa = a.rfind(partial, 0) == 0, pb = b.rfind(partial, 0) == 0;
    if (pa != pb) return pa;
    return a.size() < b.size();
  });
  std::string common = matches[0];
  for (auto& m : matches)
    while (!common.empty() && m.rfind(common, 0) != 0) common.pop_back();
  std::string pick = matches.size() == 1 ? matches[0] + " " : (common.size() > partial.size() ? common : matches[0]);
  for (size_t i = cur - at - 1; i > 0; --i) editor_.backspace();
  editor_.insert(pick);
  if (matches.size() > 1) {
    std::string list;
    for (size_t i = 0; i < matches.size() && i < 6; ++i) list += matches[i] + "  ";
    flash_ = paint(Color::kGray, list + (matches.size() > 6 ? "…" : ""));
  }
}

void App::handle_key(const Key& key) {
  if (key.type != KeyType::kCtrlC) ctrl_c_ = 0;
  if (approval_open_) return handle_approval_key(key);
  if (search_mode_) return handle_search_key(key);
  flash_.clear();
  switch (key.type) {
    case KeyType::kText: editor_.insert(key.text); break;
    case KeyType::kNewline: editor_.insert("\n"); break;
    case KeyType::kEnter:
      if (!editor_.text().empty() && editor_.text().back() == '\\' && editor_.cursor() == editor_.text().size()) {
        editor_.backspace();
        editor_.insert("\n");
      } else if (busy_ && is_exit_command(editor_.text())) {
        quit_ = true;  // /exit mid-turn: run() interrupts the turn and winds it down
      } else if (busy_) {
        flash_ = "still working: Esc interrupts; your text stays in the box";
      } else {
        submit();
      }
      break;
    case KeyType::kBackspace: editor_.backspace(); break;
    case KeyType::kDelete: editor_.del(); break;
    case KeyType::kLeft: editor_.left(); break;
    case KeyType::kRight: editor_.right(); break;
    case KeyType::kUp: editor_.up(); break;
    case KeyType::kDown: editor_.down(); break;
    case KeyType::kHome:
    case KeyType::kCtrlA: editor_.home(); break;
    case KeyType::kEnd:
    case KeyType::kCtrlE: editor_.end(); break;
    case KeyType::kCtrlU: editor_.kill_to_start(); break;
    case KeyType::kCtrlK: editor_.kill_to_end(); break;
    case KeyType::kCtrlW: editor_.delete_word(); break;
    case KeyType::kTab: complete_path(); break;
    case KeyType::kCtrlR:
      search_mode_ = true;
      search_query_.clear();
      search_index_ = -1;
      break;
    case KeyType::kCtrlO:
      if (last_elided_.empty()) {
        flash_ = "nothing to expand";
      } else {
        size_t start = 0;
        while (start < last_elided_.size()) {
          size_t nl = last_elided_.find('\n', start);
          if (nl == std::string::npos) nl = last_elided_.size();
          commit("    " + last_elided_.substr(start, nl - start));
          start = nl + 1;
        }
        last_elided_.clear();
      }
      break;
    case KeyType::kShiftTab: {
      using M = policy::PermissionMode;
      M m = s_.permissions.mode();
      M next = m == M::kDefault ? M::kAcceptEdits : m == M::kAcceptEdits ? M::kPlan : M::kDefault;
      s_.permissions.set_mode(next);
      flash_ = std::string("permission mode: ") + policy::permission_mode_name(next);
      break;
    }
    case KeyType::kEsc:
      if (busy_) {
        interrupt_ = true;
        flash_ = "interrupting…";
      }
      break;
    case KeyType::kCtrlC:
      if (busy_) {
        interrupt_ = true;
        flash_ = "interrupting… (Ctrl-C again to exit)";
      } else if (!editor_.text().empty() && ctrl_c_ == 0) {
        editor_.clear();
      } else {
        flash_ = "press Ctrl-C again to exit";
      }
      if (++ctrl_c_ >= 2) quit_ = true;
      break;
    case KeyType::kCtrlD:
      if (editor_.text().empty() && !busy_) quit_ = true;
      else editor_.del();
      break;
    case KeyType::kCtrlL:
      term_.write("\x1b[H\x1b[2J");
      cursor_row_ = drawn_cursor_col_ = 0;
      break;
    default: break;
  }
}

}  // namespace bastion::ui
