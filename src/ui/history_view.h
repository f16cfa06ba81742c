// A resumed conversation shown compactly in scrollback (/resume): one line
// per user prompt, the first lines of each answer, one line per tool call
// with a short result, and only the newest messages when there are many, so
// switching sessions gives context without flooding the terminal.
#pragma once

#include <string>
#include <vector>

#include "llm/message.h"

namespace bastion::ui {

// Rendered lines for `messages` (each fitted to `width` columns). At most
// `max_messages` of the newest non-system messages are shown, preceded by a
// line counting the ones left out.
std::vector<std::string> compact_history(const std::vector<llm::Message>& messages, int width,
                                         int max_messages = 24);

}  // namespace bastion::ui
