// Definitions found during the tree walk that already collects identifier
// references, for grammars whose tags query has only simple shapes.
//
// Why: tree-sitter's query cursor makes a second full traversal of the tree,
// and on Python it cost ~45% of the parse itself (sympy: parse 3.5 s, tags
// query 1.7 s of CPU). Testing a node's type and one field while walking is
// almost free. A native rule set must find exactly what the grammar's
// tags.scm finds: tests run both over the same sources and compare. Grammars
// without one here keep using the query.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <vector>

#include "index/languages.h"
#include "index/symbols.h"

namespace bastion::index {

// One @definition match: the @name node and the @definition node.
struct DefinitionMatch {
  TSNode name;
  TSNode definition;
  SymbolKind kind;
};

class NativeDefinitions {
 public:
  // Null when `lang` has no native rules (its tags query is used instead).
  static const NativeDefinitions* for_lang(Lang lang);

  // Called for every node of the tree in pre-order; `depth` is 0 at the root.
  // Appends the definitions that start at `node`, in the query's order.
  virtual void visit(TSNode node, uint32_t depth, std::vector<DefinitionMatch>& out) const = 0;

 protected:
  ~NativeDefinitions() = default;
};

}  // namespace bastion::index
