// What of an issue's raw text the query parser keeps, before any pattern
// looks at it: the text bounded so std::regex can't overflow the stack,
// environment dumps dropped, and the source lines a traceback quotes left
// out of the literals. Kept apart from query_parse.cc, which reads what is
// left: paths, frames, names, literals, title words.
#pragma once

#include <string>
#include <string_view>

namespace bastion::index {

// At most 64 KB, lines of at most 1,000 characters and runs of non-space
// characters of at most 200 (broken with a newline or a space).
std::string bounded_query(std::string_view text);

// Without environment dumps: `show_versions()`/`pip freeze` output,
// "INSTALLED VERSIONS", "### Versions" / "**Environment**" sections and
// `name: 1.2.3` lines. They describe the reporter's machine, not the code.
std::string strip_environment_dumps(std::string_view text);

// Without the source lines a traceback quotes: the line after `File "x.py",
// line N` (CPython) and numbered lines such as "---> 71 opt = f(a)" (IPython).
std::string without_traceback_source(std::string_view text);

}  // namespace bastion::index
