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

// `(NODE FIELD: (NAME_TYPE) @name) @definition.KIND`, optionally requiring
// another field (`body: (_)`). When `every_child`, each child under FIELD is
// tried, as the query does for a field that repeats (typedef int A, B;).
struct FieldRule {
  TSSymbol node = 0;
  TSFieldId name_field = 0;
  TSSymbol name_type = 0;
  SymbolKind kind = SymbolKind::kOther;
  TSFieldId required_field = 0;
  bool every_child = false;
};

// tree-sitter-c's and tree-sitter-cpp's tags.scm:
//   (struct_specifier name: (type_identifier) @name body:(_)) @definition.class
//   (declaration type: (union_specifier name: (type_identifier) @name)) @definition.class
//   (function_declarator declarator: (identifier) @name) @definition.function
//   (type_definition declarator: (type_identifier) @name) @definition.type
//   (enum_specifier name: (type_identifier) @name) @definition.type
// and for C++ only:
//   (function_declarator declarator: (field_identifier) @name) @definition.function
//   (function_declarator declarator: (qualified_identifier
//       scope: (namespace_identifier) @local.scope name: (identifier) @name)) @definition.method
//   (class_specifier name: (type_identifier) @name) @definition.class
class CFamilyDefinitions final : public NativeDefinitions {
 public:
  CFamilyDefinitions(const TSLanguage* language, bool cpp) : language_(language) {
    TSSymbol type_identifier = named_symbol(language, "type_identifier");
    TSSymbol identifier = named_symbol(language, "identifier");
    TSFieldId name = field(language, "name"), declarator = field(language, "declarator");
    function_declarator_ = named_symbol(language, "function_declarator");
    declaration_ = named_symbol(language, "declaration");
    union_specifier_ = named_symbol(language, "union_specifier");
    type_identifier_ = type_identifier;
    name_ = name;
    type_ = field(language, "type");
    declarator_ = declarator;
    add({named_symbol(language, "struct_specifier"), name, type_identifier, SymbolKind::kClass,
         field(language, "body")});
    add({function_declarator_, declarator, identifier, SymbolKind::kFunction});
    add({named_symbol(language, "type_definition"), declarator, type_identifier, SymbolKind::kType,
         0, true});
    add({named_symbol(language, "enum_specifier"), name, type_identifier, SymbolKind::kType});
    if (cpp) {
      add({function_declarator_, declarator, named_symbol(language, "field_identifier"),
           SymbolKind::kFunction});
      add({named_symbol(language, "class_specifier"), name, type_identifier, SymbolKind::kClass});
      qualified_identifier_ = named_symbol(language, "qualified_identifier");
      namespace_identifier_ = named_symbol(language, "namespace_identifier");
      identifier_ = identifier;
      scope_ = field(language, "scope");
    }
  }

  void visit(TSNode node, uint32_t, std::vector<DefinitionMatch>& out) const override {
    TSSymbol symbol = ts_node_symbol(node);
    if (symbol < rules_.size())
      for (const FieldRule& rule : rules_[symbol]) apply(rule, node, out);
    if (symbol == declaration_) {
      TSNode type = ts_node_child_by_field_id(node, type_);
      if (!ts_node_is_null(type) && ts_node_symbol(type) == union_specifier_) {
        TSNode name = ts_node_child_by_field_id(type, name_);
        if (!ts_node_is_null(name) && ts_node_symbol(name) == type_identifier_)
          out.push_back({name, node, SymbolKind::kClass});
      }
    } else if (symbol == function_declarator_ && qualified_identifier_ != 0) {
      TSNode qualified = ts_node_child_by_field_id(node, declarator_);
      if (ts_node_is_null(qualified) || ts_node_symbol(qualified) != qualified_identifier_) return;
      TSNode scope = ts_node_child_by_field_id(qualified, scope_);
      TSNode name = ts_node_child_by_field_id(qualified, name_);
      if (!ts_node_is_null(scope) && ts_node_symbol(scope) == namespace_identifier_ &&
          !ts_node_is_null(name) && ts_node_symbol(name) == identifier_)
        out.push_back({name, node, SymbolKind::kMethod});
    }
  }

 private:
  void add(FieldRule rule) {
    if (rule.node >= rules_.size()) rules_.resize(rule.node + 1);
    rules_[rule.node].push_back(rule);
  }

  void apply(const FieldRule& rule, TSNode node, std::vector<DefinitionMatch>& out) const {
    if (rule.required_field != 0 &&
        ts_node_is_null(ts_node_child_by_field_id(node, rule.required_field)))
      return;
    if (!rule.every_child) {
      TSNode name = ts_node_child_by_field_id(node, rule.name_field);
      if (!ts_node_is_null(name) && ts_node_symbol(name) == rule.name_type)
        out.push_back({name, node, rule.kind});
      return;
    }
    const char* field_name = ts_language_field_name_for_id(language_, rule.name_field);
    uint32_t count = ts_node_child_count(node);
    for (uint32_t i = 0; i < count; ++i) {
      const char* child_field = ts_node_field_name_for_child(node, i);
      if (child_field != field_name) continue;  // both point into the grammar's table
      TSNode name = ts_node_child(node, i);
      if (ts_node_symbol(name) == rule.name_type) out.push_back({name, node, rule.kind});
    }
  }

  const TSLanguage* language_;
  std::vector<std::vector<FieldRule>> rules_;  // by node symbol
  TSSymbol function_declarator_ = 0, declaration_ = 0, union_specifier_ = 0,
           type_identifier_ = 0, qualified_identifier_ = 0, namespace_identifier_ = 0,
           identifier_ = 0;
  TSFieldId name_ = 0, type_ = 0, declarator_ = 0, scope_ = 0;
};

}  // namespace

const NativeDefinitions* NativeDefinitions::for_lang(Lang lang) {
  switch (lang) {
    case Lang::kPython: {
      static const PythonDefinitions python(ts_language(Lang::kPython));
      return &python;
    }
    case Lang::kC: {
      static const CFamilyDefinitions c(ts_language(Lang::kC), false);
      return &c;
    }
    case Lang::kCpp: {
      static const CFamilyDefinitions cpp(ts_language(Lang::kCpp), true);
      return &cpp;
    }
    default:
      return nullptr;
  }
}

}  // namespace bastion::index
