#include "index/native_defs.h"

#include <cstring>

namespace bastion::index {
namespace {

TSSymbol named_symbol(const TSLanguage* language, const char* name) {
  return ts_language_symbol_for_name(language, name, static_cast<uint32_t>(std::strlen(name)),
                                     true);
}

TSFieldId field(const TSLanguage* language, const char* name) {
  return ts_language_field_id_for_name(language, name, static_cast<uint32_t>(std::strlen(name)));
}

// tree-sitter-python's tags.scm:
//   (module (expression_statement (assignment left: (identifier) @name) @definition.constant))
//   (class_definition name: (identifier) @name) @definition.class
//   (function_definition name: (identifier) @name) @definition.function
class PythonDefinitions final : public NativeDefinitions {
 public:
  explicit PythonDefinitions(const TSLanguage* language)
      : identifier_(named_symbol(language, "identifier")),
        module_(named_symbol(language, "module")),
        expression_statement_(named_symbol(language, "expression_statement")),
        assignment_(named_symbol(language, "assignment")),
        class_definition_(named_symbol(language, "class_definition")),
        function_definition_(named_symbol(language, "function_definition")),
        name_(field(language, "name")),
        left_(field(language, "left")) {}

  void visit(TSNode node, uint32_t depth, std::vector<DefinitionMatch>& out) const override {
    TSSymbol symbol = ts_node_symbol(node);
    if (symbol == class_definition_) {
      add_named(node, SymbolKind::kClass, out);
    } else if (symbol == function_definition_) {
      add_named(node, SymbolKind::kFunction, out);
    } else if (symbol == expression_statement_ && depth == 1 &&
               ts_node_symbol(ts_node_parent(node)) == module_) {
      uint32_t count = ts_node_child_count(node);
      for (uint32_t i = 0; i < count; ++i) {
        TSNode child = ts_node_child(node, i);
        if (ts_node_symbol(child) != assignment_) continue;
        TSNode left = ts_node_child_by_field_id(child, left_);
        if (!ts_node_is_null(left) && ts_node_symbol(left) == identifier_)
          out.push_back({left, child, SymbolKind::kConstant});
      }
    }
  }

 private:
  void add_named(TSNode node, SymbolKind kind, std::vector<DefinitionMatch>& out) const {
    TSNode name = ts_node_child_by_field_id(node, name_);
    if (!ts_node_is_null(name) && ts_node_symbol(name) == identifier_)
      out.push_back({name, node, kind});
  }

  TSSymbol identifier_, module_, expression_statement_, assignment_, class_definition_,
      function_definition_;
  TSFieldId name_, left_;
};

}  // namespace

const NativeDefinitions* NativeDefinitions::for_lang(Lang lang) {
  if (lang != Lang::kPython) return nullptr;
  static const PythonDefinitions python(ts_language(Lang::kPython));
  return &python;
}

}  // namespace bastion::index
