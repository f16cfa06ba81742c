// Parsing tool-call arguments as models really write them.
//
// Arguments arrive as JSON text the model produced token by token. Most are
// clean objects, but real replies also come empty (a tool without
// parameters), wrapped in a ```json fence, JSON-encoded twice ("\"{...}\""),
// or followed by stray text (a closing brace too many, a leaked tag). This
// recovers the object in those cases and otherwise returns an error the
// agent can show the model, so it can try again.
#pragma once

#include <string_view>

#include "util/json.h"
#include "util/result.h"

namespace bastion::llm {

// The arguments as a JSON object. kBadInput (with a message meant for the
// model) when no object can be recovered.
Result<Json> parse_tool_arguments(std::string_view raw);

// Length of the first balanced JSON object/array at the start of `text`
// (strings and escapes respected), or 0 if it never closes.
size_t balanced_json_prefix(std::string_view text);

}  // namespace bastion::llm
