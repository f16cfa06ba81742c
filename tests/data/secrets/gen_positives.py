#!/usr/bin/env python3
"""Generates positives.jsonl: realistic-looking but FAKE secrets in the
contexts they leak from (config files, shell history, logs, code, JSON).

Each line: {"id", "kind", "path", "text", "secrets": [...]}. A sample counts
as caught when none of its secrets survives redaction. Values are random
from a fixed seed and most carry FAKE/EXAMPLE markers; none is a real
credential. Re-run to regenerate: python3 gen_positives.py > positives.jsonl
"""
import json
import random
import string

rng = random.Random(20261124)
UP = string.ascii_uppercase
LO = string.ascii_lowercase
DG = string.digits
AN = UP + LO + DG
B64 = AN + "+/"
HEX = "0123456789abcdef"


def r(alpha, n):
    return "".join(rng.choice(alpha) for _ in range(n))


def fake(alpha, n, marker="FAKE"):
    """Random string of length n with a FAKE marker when the alphabet allows."""
    s = r(alpha, n)
    if all(c in alpha for c in marker) and n > len(marker) + 4:
        i = rng.randrange(1, n - len(marker))
        s = s[:i] + marker + s[i + len(marker):]
    return s


def pem(label, body_lines=6):
    body = "\n".join(fake(B64, 64) for _ in range(body_lines)) + "\n" + r(B64, 20) + "=="
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


# Contexts a KEY=VALUE style secret shows up in. {n} is the name, {v} the value.
ASSIGN_CONTEXTS = [
    ("config.py", "{n} = \"{v}\"\n"),
    ("settings.py", "    {n}='{v}',\n"),
    ("app.yaml", "service:\n  {n}: \"{v}\"\n  region: us-east-1\n"),
    ("values.yml", "{n}: {v}\n"),
    ("config.json", "{{\n  \"{n}\": \"{v}\",\n  \"timeout\": 30\n}}\n"),
    ("deploy.sh", "export {N}={v}\n"),
    ("history.txt", "$ export {N}=\"{v}\"\n$ ./run.sh\n"),
    ("docker-compose.yml", "    environment:\n      - {N}={v}\n"),
    ("main.tf", "  {n} = \"{v}\"\n"),
    ("app.ini", "[auth]\n{n} = {v}\n"),
    ("config.toml", "[client]\n{n} = \"{v}\"\n"),
    ("client.js", "const client = new Client({{ {c}: '{v}' }});\n"),
    ("main.go", "const {C} = \"{v}\"\n"),
    ("App.java", "    private static final String {N} = \"{v}\";\n"),
    ("application.properties", "app.{n}={v}\n"),
    ("run.log", "2026-11-24T10:00:00Z DEBUG request headers: {{\"{n}\": \"{v}\"}}\n"),
]


def camel(n):
    parts = n.split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def in_context(name, value, ctx=None):
    path, tmpl = ctx or rng.choice(ASSIGN_CONTEXTS)
    text = tmpl.format(n=name, N=name.upper(), c=camel(name), C=camel(name)[0].upper() + camel(name)[1:], v=value)
    return path, text


samples = []


def add(kind, path, text, secrets):
    samples.append({"id": f"{kind}-{len(samples) + 1}", "kind": kind, "path": path, "text": text,
                    "secrets": secrets})


# Private keys: PEM (RSA, EC, PKCS8, encrypted, OpenSSH, DSA, PGP), in files,
# in shell output and embedded in YAML/JSON.
for label in ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
              "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK"]:
    k = pem(label)
    body = k.split("\n")[2]
    add("private_key", "id_key", k + "\n", [body])
    add("private_key", "out.txt", "$ cat ~/.ssh/id_deploy\n" + k + "\n$ ls\n", [body])
    indented = "\n".join("    " + line for line in k.split("\n"))
    add("private_key", "secret.yaml", "tls:\n  key: |\n" + indented + "\n", [body])
k = pem("RSA PRIVATE KEY")
add("private_key", "cut.txt", "\n".join(k.split("\n")[:4]) + "\n", [k.split("\n")[2]])
putty = ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: fake\nPublic-Lines: 2\n"
         + r(B64, 64) + "\n" + r(B64, 20) + "\nPrivate-Lines: 1\n" + fake(B64, 48) + "\nPrivate-MAC: " + r(HEX, 64) + "\n")
add("private_key", "key.ppk", putty, [putty.split("\n")[7]])

# AWS access key ids and secret keys.
for i in range(10):
    kid = rng.choice(["AKIA", "ASIA"]) + fake(UP + "234567", 16)
    sec = fake(B64, 40)
    path, text = in_context("aws_access_key_id", kid)
    add("aws_access_key", path, text, [kid])
    path, text = in_context("aws_secret_access_key", sec)
    add("aws_secret_key", path, text, [sec])
kid, sec = "AKIA" + fake(UP + "234567", 16), fake(B64, 40)
add("aws_secret_key", "credentials.csv", f"User name,Password,Access key ID,Secret access key\nci,,{kid},{sec}\n", [kid, sec])
add("aws_secret_key", "credentials", f"[default]\naws_access_key_id = {kid}\naws_secret_access_key = {sec}\n", [kid, sec])
add("aws_access_key", "cmd.txt", f"AWS_ACCESS_KEY_ID={kid} AWS_SECRET_ACCESS_KEY={sec} aws s3 ls\n", [kid, sec])

# Alibaba Cloud AccessKey ids and secrets.
for i in range(8):
    kid = "LTAI" + fake(AN, rng.choice([12, 16, 20]))
    sec = fake(AN, 30)
    path, text = in_context(rng.choice(["access_key_id", "alibaba_cloud_access_key_id"]), kid)
    add("alibaba_access_key_id", path, text, [kid])
    path, text = in_context(rng.choice(["access_key_secret", "alibaba_cloud_access_key_secret", "accessKeySecret"]), sec)
    add("alibaba_access_key_secret", path, text, [sec])

# GCP service-account JSON.
for i in range(6):
    kid = r(HEX, 40)
    body = fake(B64, 64)
    key = "-----BEGIN PRIVATE KEY-----\\n" + body + "\\n" + r(B64, 64) + "\\n-----END PRIVATE KEY-----\\n"
    doc = ("{\n  \"type\": \"service_account\",\n  \"project_id\": \"fake-proj-%d\",\n  \"private_key_id\": \"%s\",\n"
           "  \"private_key\": \"%s\",\n  \"client_email\": \"ci@fake-proj.iam.gserviceaccount.com\",\n"
           "  \"client_id\": \"1000000000000000000%d\"\n}\n") % (i, kid, key, i)
    add("gcp_service_account", "sa-%d.json" % i, doc, [kid, body])

# Azure: storage connection strings, SAS tokens, client secrets, service bus.
for i in range(6):
    ak = fake(B64, 86) + "=="
    add("azure_storage_key", "appsettings.json",
        "{\"ConnectionStrings\": {\"Storage\": \"DefaultEndpointsProtocol=https;AccountName=fakeacct%d;AccountKey=%s;EndpointSuffix=core.windows.net\"}}\n" % (i, ak), [ak])
    sig = fake(AN, 43) + "%3D"
    add("azure_sas", "upload.sh", "curl -X PUT 'https://fakeacct.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=rw&se=2026-12-01&sig=%s'\n" % sig, [sig])
    cs = r(AN, 3) + rng.choice("78") + "Q~" + fake(AN + "_~.-", 34)
    path, text = in_context(rng.choice(["azure_client_secret", "client_secret"]), cs)
    add("azure_client_secret", path, text, [cs])
sbk = fake(B64, 43) + "="
add("azure_storage_key", "servicebus.txt", "Endpoint=sb://fake.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%s\n" % sbk, [sbk])

# GitHub, GitLab, Slack tokens.
for p in ["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]:
    for i in range(2):
        t = p + fake(AN, 36)
        path, text = in_context(rng.choice(["github_token", "gh_token", "token", "auth"]), t)
        add("github_token", path, text, [t])
for i in range(4):
    t = "github_pat_11" + fake(AN, 20) + "_" + fake(AN, 59)
    add("github_token", "remote.txt", "git remote set-url origin https://x-access-token:%s@github.com/acme/app.git\n" % t, [t])
for i in range(6):
    t = "glpat-" + fake(AN + "_-", 20)
    ctx = rng.choice([("ci.yml", "  script:\n    - git clone https://oauth2:{v}@gitlab.example.com/g/p.git\n"),
                      ("curl.sh", "curl --header \"PRIVATE-TOKEN: {v}\" https://gitlab.example.com/api/v4/projects\n"),
                      ("notes.md", "use token `{v}` for the mirror\n")])
    add("gitlab_token", ctx[0], ctx[1].format(v=t), [t])
for i in range(8):
    t = "xox" + rng.choice("bpars") + "-" + r(DG, 12) + "-" + r(DG, 12) + "-" + fake(AN, 24)
    path, text = in_context(rng.choice(["slack_bot_token", "slack_token", "bot_token"]), t)
    add("slack_token", path, text, [t])
for i in range(4):
    w = "T" + r(UP + DG, 8) + "/B" + r(UP + DG, 10) + "/" + fake(AN, 24)
    add("slack_webhook", "notify.py", "WEBHOOK = \"https://hooks.slack.com/services/%s\"\n" % w, [w])

# Model API keys: OpenAI, Anthropic, DashScope-style.
for i in range(8):
    t = rng.choice(["sk-proj-", "sk-svcacct-", "sk-"]) + fake(AN + "_-", rng.choice([48, 64, 120]))
    path, text = in_context(rng.choice(["openai_api_key", "OPENAI_KEY", "api_key"]), t)
    add("openai_api_key", path, text, [t])
for i in range(8):
    t = "sk-ant-api03-" + fake(AN + "_-", 93) + "AA"
    ctx = rng.choice([("env.sh", "export ANTHROPIC_API_KEY={v}\n"),
                      ("client.py", "client = anthropic.Anthropic(api_key=\"{v}\")\n"),
                      ("req.sh", "curl https://api.anthropic.com/v1/messages -H \"x-api-key: {v}\"\n")])
    add("anthropic_api_key", ctx[0], ctx[1].format(v=t), [t])
for i in range(8):
    t = "sk-" + r(HEX, 32)
    ctx = rng.choice([("dashscope.py", "dashscope.api_key = \"{v}\"\n"),
                      ("bastion.toml", "[providers.qwen]\nbase_url = \"https://llm.corp.example/v1\"\napi_key = \"{v}\"\n"),
                      ("chat.log", "Using key {v} for model qwen-max\n")])
    add("dashscope_api_key", ctx[0], ctx[1].format(v=t), [t])

# JWTs.
import base64
def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")
for i in range(8):
    h = b64u(json.dumps({"alg": rng.choice(["HS256", "RS256"]), "typ": "JWT"}).encode())
    p = b64u(json.dumps({"sub": "fake-user-%d" % i, "iat": 1700000000 + i, "name": "FAKE"}).encode())
    s = b64u(bytes(rng.randrange(256) for _ in range(32)))
    t = f"{h}.{p}.{s}"
    ctx = rng.choice([("req.txt", "Authorization: Bearer {v}\n"), ("cookies.txt", "session={v}; Path=/\n"),
                      ("test.py", "TOKEN = \"{v}\"\n"), ("app.log", "WARN expired token {v} for user\n")])
    add("jwt", ctx[0], ctx[1].format(v=t), [t])

# Passwords inside URLs.
for i in range(10):
    pw = fake(AN + "!*-_", rng.choice([10, 14, 20]))
    url = rng.choice(["postgres://app:{p}@db.internal:5432/prod", "mysql://root:{p}@10.0.0.5/app",
                      "mongodb+srv://svc:{p}@cluster0.fake.mongodb.net/db", "redis://default:{p}@cache:6379/0",
                      "amqp://guest:{p}@mq.internal:5672/", "https://deploy:{p}@registry.example.com/v2/"]).format(p=pw)
    ctx = rng.choice([("settings.py", "DATABASES_URL = '{v}'\n"), ("compose.yml", "      - DATABASE_URL={v}\n"),
                      ("log.txt", "connecting to {v} ...\n")])
    add("url_password", ctx[0], ctx[1].format(v=url), [pw])

# .env files: every value, whatever the name.
for i in range(8):
    vals = {"DATABASE_PASSWORD": fake(AN, 16), "SESSION_SECRET": fake(AN, 32), "SENTRY_TOKEN": r(HEX, 32),
            "MAILGUN_KEY": "key-" + r(HEX, 32), "INTERNAL_SERVICE_CODE": fake(AN + "-", 18)}
    text = "# local settings\nNODE_ENV=production\nPORT=3000\n" + "".join(f"{k}={v}\n" for k, v in vals.items())
    add("env_value", rng.choice([".env", ".env.local", ".env.production", "config/prod.env"]), text, list(vals.values()))
for i in range(4):
    v = fake(AN, 24)
    add("env_value", ".env", "export APP_SIGNING_SALT=\"%s\"\nLOG_LEVEL=debug\n" % v, [v])

# High-entropy values assigned to key-like names, in many languages and formats.
NAMES = ["api_key", "apikey", "secret_key", "client_secret", "auth_token", "access_token", "refresh_token",
         "private_token", "encryption_key", "signing_key", "master_key", "webhook_secret", "app_secret",
         "license_key", "service_token", "db_password", "password", "smtp_password", "admin_pass", "passphrase"]
for i, name in enumerate(NAMES):
    for j in range(2):
        if "pass" in name and j == 0:
            v = rng.choice(["Tr0ub4dor&3-FAKE", "hunter2-fake!", "P@ssw0rdFAKE99", "c0rrect-h0rse-FAKE"])
        else:
            v = fake(rng.choice([AN, HEX, B64]), rng.choice([24, 32, 40]))
        path, text = in_context(name, v, ASSIGN_CONTEXTS[(i * 2 + j) % len(ASSIGN_CONTEXTS)])
        add("generic_secret", path, text, [v])
# Others: Stripe, Google, npm, Hugging Face, bearer headers.
for i in range(3):
    t = rng.choice(["sk_live_", "rk_live_"]) + fake(AN, 24)
    add("stripe_key", "pay.rb", "Stripe.api_key = '%s'\n" % t, [t])
    t = "AIza" + fake(AN + "_-", 35)
    add("google_api_key", "maps.html", "<script src=\"https://maps.googleapis.com/maps/api/js?key=%s\"></script>\n" % t, [t])
    t = "npm_" + fake(AN, 36)
    add("npm_token", ".npmrc", "//registry.npmjs.org/:_authToken=%s\n" % t, [t])
    t = "hf_" + fake(UP + LO, 34)
    add("huggingface_token", "train.sh", "huggingface-cli login --token %s\n" % t, [t])
    t = fake(AN + "._-", 40)
    add("bearer_token", "curl.sh", "curl -H \"Authorization: Bearer %s\" https://api.internal/v1/x\n" % t, [t])

for s in samples:
    print(json.dumps(s))
