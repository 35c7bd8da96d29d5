"""Security rules: hard-coded secrets (CQ004), weak password hashing and JWTs decoded
without verification (CQ005)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext, inside
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.helpers import is_test_code, keyword

# --------------------------------------------------------------------------------------
# CQ004: hard-coded secrets

_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "secretkey"}
)
_KEY_OWNERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "access",
        "signing",
        "encryption",
        "auth",
        "jwt",
        "hmac",
        "master",
        "client",
        "license",
        "webhook",
        "stripe",
        "sendgrid",
        "openai",
        "anthropic",
    }
)
# Values that stand for "put the real one here" (or are dev-only on purpose).
_PLACEHOLDER_WORDS = (
    "change",
    "xxx",
    "your",
    "example",
    "placeholder",
    "dummy",
    "sample",
    "todo",
    "fixme",
    "insecure",
    "test",
    "fake",
    "replace",
    "password",
    "secret",
    "default",
    "local",
    "dev",
    "<",
    "{",
    "$",
    "%(",
    "***",
    "...",
)
# Files whose values are throwaway on purpose: examples, templates, dev settings.
_EXAMPLE_WORDS = ("example", "sample", "template", "fixture", "dummy", "fake", "mock")
_DEV_STEMS = frozenset({"local", "dev", "development", "test", "testing", "ci"})
_DOC_DIRS = frozenset({"docs", "doc", "examples", "example", "samples", "fixtures"})

_KNOWN_TOKENS = re.compile(
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"  # AWS access key id
    r"|\bgh[pousr]_[A-Za-z0-9]{36,}"  # GitHub tokens
    r"|\bgithub_pat_[A-Za-z0-9_]{40,}"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|\b[sr]k_live_[A-Za-z0-9]{16,}"  # Stripe live keys
    r"|\bAIza[0-9A-Za-z_\-]{35}"  # Google API key
    r"|\bsk-(?:ant-|proj-)?[A-Za-z0-9_\-]{32,}"  # OpenAI / Anthropic
    r"|-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"
)
#: Text every _KNOWN_TOKENS match contains: a file holding none of them is skipped with a
#: few substring scans (the regex's alternation tried at every position of a whole file
#: was most of this rule's time).
_TOKEN_LITERALS = (
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "k_live_",
    "AIza",
    "sk-",
    "PRIVATE KEY-----",
)


def _known_token(text: str) -> re.Match[str] | None:
    if not any(literal in text for literal in _TOKEN_LITERALS):
        return None
    return _KNOWN_TOKENS.search(text)


_URL_CREDENTIALS = re.compile(
    r"\b[a-z][a-z0-9+.\-]*://(?P<user>[^:/@\s'\"]+):(?P<password>[^@\s'\"]+)@(?P<host>[^/:\s'\"?]+)"
)
_DEV_HOSTS = frozenset(
    {
        "localhost",
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104 (a host name compared, not bound)
        "db",
        "database",
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "redis",
        "rabbitmq",
        "broker",
        "host",
        "hostname",
        "example.com",
    }
)
_DEV_PASSWORDS = frozenset(
    {"pass", "postgres", "root", "admin", "user", "guest", "mysql", "redis", "rabbitmq"}
)
# A cheap first look at a name before splitting it into words.
_SECRETISH = re.compile(r"pass|pwd|secret|token|key", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _name_parts(name: str) -> list[str]:
    return [p for p in _CAMEL.sub("_", name).lower().split("_") if p]


def secret_name(name: str) -> bool:
    """``SECRET_KEY``, ``db_password``, ``apiKey``, ``auth_token``; not ``token_type``,
    ``PASSWORD_FIELD``, ``TOKEN_URL`` (the secret word must end the name)."""
    parts = _name_parts(name)
    if not parts:
        return False
    if parts[-1] in _SECRET_WORDS:
        return True
    return parts[-1] == "key" and len(parts) > 1 and parts[-2] in _KEY_OWNERS


def _placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(value)) <= 3


def _readable(value: str) -> bool:
    """Words joined by separators (``oauth2_leaked_token``, ``e2e_seed_checkout_link``):
    written by a person as a name, where a generated secret has a long random run."""
    segments = [s for s in re.split(r"[_\-.:]", value) if s]
    return len(segments) >= 3 and all(s.isalpha() or s.isdigit() or len(s) <= 3 for s in segments)


#: Keys public by design, meant to ship inside clients: PostHog project keys, Stripe
#: publishable keys.
_PUBLIC_KEY_PREFIXES = ("phc_", "pk_live_", "pk_test_")


def _looks_secret(value: str, name: str) -> bool:
    """A literal that could be a real credential: long enough, one word, not a
    placeholder, not a name or a path, not a key public by design, and (for keys and
    tokens) of mixed characters."""
    if value.startswith(_PUBLIC_KEY_PREFIXES):
        return False
    is_password = _name_parts(name)[-1] in {"password", "passwd", "pwd", "passphrase"}
    if len(value) < (8 if is_password else 16) or any(c.isspace() for c in value):
        return False
    if _placeholder(value) or "://" in value or value.startswith(("/", ".")):
        return False
    if re.fullmatch(r"[a-z][a-z_\-.:]*|[A-Z][A-Za-z\-_]*", value):
        return False  # a word or an identifier: a header, a cookie name, a scheme
    if value.lower() == name.lower() or _readable(value):
        return False
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )
    return classes >= 2


def _skipped_file(ctx: FileContext) -> bool:
    parts = [p.lower() for p in ctx.posix_path.parts]
    stem = ctx.posix_path.stem.lower()
    if is_test_code(ctx) or any(p in _DOC_DIRS for p in parts[:-1]):
        return True
    if any(word in p for p in parts for word in _EXAMPLE_WORDS):
        return True
    return stem in _DEV_STEMS or stem.endswith(("_dev", "_local", "_test", "_example"))


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _named_secrets(ctx: FileContext) -> Iterator[tuple[ast.expr, str]]:
    """(value node, name) for literals given to a secret-looking name: assignments,
    class fields, keyword arguments and dict entries."""
    for node in ctx.nodes(ast.Assign):
        for target in node.targets:
            name = _target_name(target)
            if name:
                yield node.value, name
    for ann in ctx.nodes(ast.AnnAssign):
        name = _target_name(ann.target)
        if name and ann.value is not None:
            yield ann.value, name
    for call in ctx.nodes(ast.Call):
        for kw in call.keywords:
            if kw.arg:
                yield kw.value, kw.arg
    for mapping in ctx.nodes(ast.Dict):
        for key, value in zip(mapping.keys, mapping.values, strict=True):
            key_text = _string(key)
            if key_text and key_text.replace("-", "_").isidentifier():
                yield value, key_text.replace("-", "_")


def _url_secret(value: str) -> bool:
    match = _URL_CREDENTIALS.search(value)
    if match is None:
        return False
    user, password, host = match["user"], match["password"], match["host"].lower()
    if host in _DEV_HOSTS or host.endswith((".local", ".localhost", ".example", ".invalid")):
        return False
    lowered = password.lower()
    return not (lowered == user.lower() or lowered in _DEV_PASSWORDS or _placeholder(password))


_EXAMPLE_KEYS = frozenset({"example", "examples", "openapi_examples", "json_schema_extra"})


def _documentation_examples(ctx: FileContext) -> list[ast.AST]:
    """Values documenting an API (``responses={...: {"example": {...}}}``,
    ``Field(examples=[...])``): sample payloads for the docs, not credentials."""
    found: list[ast.AST] = []
    for mapping in ctx.nodes(ast.Dict):
        for key, value in zip(mapping.keys, mapping.values, strict=True):
            if _string(key) in _EXAMPLE_KEYS:
                found.append(value)
    for call in ctx.nodes(ast.Call):
        found.extend(kw.value for kw in call.keywords if kw.arg in _EXAMPLE_KEYS)
    return found


@rule(
    id="CQ004",
    title="Hard-coded secret",
    severity="critical",
    confidence=70,
    category="quality",
    explanation=(
        "A password, API key, signing secret or database URL with its password written "
        "into the code is readable by everyone who can read the repository, stays in "
        "its history after it is removed, and ends up in every copy, fork and backup. "
        "Anyone holding it can sign tokens or reach the service it protects. Rotate the "
        "value (it must be considered leaked) and read it at start-up from the "
        "environment or a secret store, through the settings object. Tests, example and "
        "template files, dev-only settings and obvious placeholders (`changeme`, empty "
        "strings, `<your-key>`) are not flagged, nor are URLs pointing at localhost or a "
        "docker-compose service."
    ),
    before=(
        'SECRET_KEY = "9f3b1c0e6d2a4b8f9e7c5a3d1b0f2e4c"\n'
        'DATABASE_URL = "postgresql://app:Tr0ub4dor3@db.prod.internal/app"\n'
    ),
    after=(
        "class Settings(BaseSettings):\n    secret_key: SecretStr\n    database_url: PostgresDsn\n"
    ),
)
def check_hard_coded_secrets(ctx: FileContext) -> Iterator[Hit]:
    """String literals given to a name that ends in a secret word (``password``,
    ``token``, ``secret``, ``api_key`` ...) that look like a credential; URLs carrying a
    password for a non-local host; well-known token formats (AWS, GitHub, Slack, Stripe,
    Google, OpenAI/Anthropic keys, PEM private keys). One finding per line; the message
    never repeats the value."""
    if _skipped_file(ctx):
        return
    flagged: set[int] = set()
    examples: list[ast.AST] | None = None
    for value_node, name in _named_secrets(ctx):
        value = _string(value_node)
        if value is None or value_node.lineno in flagged or not _SECRETISH.search(name):
            continue
        if examples is None:
            examples = _documentation_examples(ctx)
        if any(inside(value_node, example) for example in examples):
            continue
        if secret_name(name) and _looks_secret(value, name):
            flagged.add(value_node.lineno)
            yield Hit.at(
                value_node,
                f"`{name}` is a literal in the code: read it from the environment or a "
                "secret store, and rotate it",
            )
    source = ctx.source
    if "://" not in source and not _known_token(source):
        return
    docstrings = {
        id(stmt.value) for stmt in ctx.nodes(ast.Expr) if isinstance(stmt.value, ast.Constant)
    }
    for constant in ctx.nodes(ast.Constant):
        text = constant.value
        if not isinstance(text, str) or id(constant) in docstrings:
            continue
        if constant.lineno in flagged:
            continue
        token = _known_token(text)
        if token is not None and not _placeholder(token.group(0)):
            flagged.add(constant.lineno)
            yield Hit.at(
                constant,
                "a credential in a well-known format is written in the code: revoke it and "
                "load it from the environment",
                confidence=90,
            )
        elif "://" in text and _url_secret(text):
            flagged.add(constant.lineno)
            yield Hit.at(
                constant,
                "a connection URL with its password is written in the code: build it from "
                "settings read from the environment",
                confidence=80,
            )


# --------------------------------------------------------------------------------------
# CQ005: weak password hashing, JWT without verification

_FAST_HASHES = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_256",
        "sha3_512",
        "blake2b",
        "blake2s",
    }
)
_PASSWORD_PARTS = frozenset({"password", "passwd", "pwd", "pw", "passphrase"})
# Names that contain "password" but hold something high-entropy (a reset token) or
# already derived (a hash, a salt).
_NOT_PASSWORD_PARTS = frozenset({"token", "reset", "link", "url", "key", "hash", "hashed", "salt"})


def _password_like(name: str) -> bool:
    parts = set(_name_parts(name))
    return bool(parts & _PASSWORD_PARTS) and not parts & _NOT_PASSWORD_PARTS


def _mentions_password(node: ast.AST) -> str | None:
    for inner in ast.walk(node):
        name = None
        if isinstance(inner, ast.Name):
            name = inner.id
        elif isinstance(inner, ast.Attribute):
            name = inner.attr
        if name and _password_like(name):
            return name
    return None


def _fast_hash(ctx: FileContext, call: ast.Call) -> str | None:
    """``hashlib.sha256`` / ``hashlib.new("md5")``: the algorithm name, else None."""
    qualified = ctx.qualified(call.func) or ""
    if not qualified.startswith("hashlib."):
        return None
    algorithm = qualified.removeprefix("hashlib.")
    if algorithm == "new" and call.args:
        algorithm = (_string(call.args[0]) or "").lower()
        return algorithm if algorithm in _FAST_HASHES else None
    return algorithm if algorithm in _FAST_HASHES else None


def _hash_objects(ctx: FileContext) -> dict[str, str]:
    """Variables bound to a fast hash object (``h = hashlib.md5()``)."""
    found = {}
    for node in ctx.nodes(ast.Assign):
        if isinstance(node.value, ast.Call) and (algorithm := _fast_hash(ctx, node.value)):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = algorithm
    return found


def _jwt_unverified(ctx: FileContext, call: ast.Call) -> str | None:
    if ctx.qualified(call.func) not in {"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"}:
        return None
    options = keyword(call, "options")
    if options is not None and isinstance(options.value, ast.Dict):
        for key, value in zip(options.value.keys, options.value.values, strict=True):
            if (
                _string(key) == "verify_signature"
                and isinstance(value, ast.Constant)
                and value.value is False
            ):
                return "verify_signature is turned off"
    verify = keyword(call, "verify")
    if (
        verify is not None
        and isinstance(verify.value, ast.Constant)
        and verify.value.value is False
    ):
        return "verify=False skips the signature check"
    algorithms = keyword(call, "algorithms")
    if (
        algorithms is not None
        and isinstance(algorithms.value, ast.List | ast.Tuple)
        and any((_string(e) or "").lower() == "none" for e in algorithms.value.elts)
    ):
        return 'algorithm "none" accepts unsigned tokens'
    return None


@rule(
    id="CQ005",
    title="Weak password hashing or JWT accepted without verification",
    severity="critical",
    confidence=80,
    category="quality",
    explanation=(
        "MD5, SHA-1 and even SHA-256 are built to be fast: a leaked table of such "
        "password hashes is cracked at billions of guesses per second, salt or not. "
        "Passwords need a slow, salted key-derivation function: argon2 or bcrypt (through "
        "`argon2-cffi`, `bcrypt` or `pwdlib`/`passlib`), or `hashlib.scrypt` / "
        "`pbkdf2_hmac` with a high work factor. Likewise a JWT decoded with signature "
        "verification turned off (`verify_signature: False`, `verify=False`, algorithm "
        "`none`) accepts any token a client forges, so whoever edits the payload chooses "
        "their user and their rights. Decode with the key and an explicit list of "
        "algorithms. Hashing tokens, files or cache keys with SHA-256 is fine and is not "
        "flagged; nor is code in tests."
    ),
    before=(
        "def hash_password(password: str) -> str:\n"
        "    return hashlib.sha256(password.encode()).hexdigest()\n"
        "\n"
        'claims = jwt.decode(token, options={"verify_signature": False})\n'
    ),
    after=(
        "hasher = PasswordHash.recommended()  # pwdlib, argon2\n"
        "\n"
        "def hash_password(password: str) -> str:\n"
        "    return hasher.hash(password)\n"
        "\n"
        'claims = jwt.decode(token, settings.jwt_key, algorithms=["HS256"])\n'
    ),
)
def check_weak_crypto(ctx: FileContext) -> Iterator[Hit]:
    """``hashlib.<fast hash>(...)`` (or ``hashlib.new``, or ``.update()`` on such an
    object) fed with a value whose name says password; ``jwt.decode`` (PyJWT or
    python-jose) with ``options={"verify_signature": False}``, ``verify=False`` or
    ``algorithms=["none"]``."""
    if is_test_code(ctx) or not ("hashlib" in ctx.source or "jwt" in ctx.source):
        return
    objects: dict[str, str] | None = None
    for call in ctx.nodes(ast.Call):
        algorithm = _fast_hash(ctx, call)
        if algorithm is not None:
            data = [*call.args[1:]] if ctx.qualified(call.func) == "hashlib.new" else call.args
            name = next((n for a in data if (n := _mentions_password(a))), None)
            if name:
                yield Hit.at(
                    call,
                    f"`{name}` hashed with {algorithm}, a fast hash: use argon2, bcrypt or "
                    "scrypt for passwords",
                )
            continue
        if isinstance(call.func, ast.Attribute) and call.func.attr == "update" and call.args:
            if objects is None:
                objects = _hash_objects(ctx)
            receiver = dotted_name(call.func.value) or ""
            name = _mentions_password(call.args[0])
            if receiver in objects and name:
                yield Hit.at(
                    call,
                    f"`{name}` hashed with {objects[receiver]}, a fast hash: use argon2, "
                    "bcrypt or scrypt for passwords",
                )
            continue
        problem = _jwt_unverified(ctx, call)
        if problem and not _unverified_on_purpose(ctx, call):
            yield Hit.at(call, f"JWT decoded without verifying it: {problem}", confidence=90)


_TIME_CLAIMS = frozenset({"exp", "iat", "nbf"})


def _unverified_on_purpose(ctx: FileContext, call: ast.Call) -> bool:
    """An unverified decode that grants nothing: the function verifies the token with
    another decode afterwards (the first one only finds the key), the result is read for
    its time claims only (when to refresh), or a comment right above explains it."""
    scopes = reversed(ctx.enclosing_scopes(call))
    func = next((s for s in scopes if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)), None)
    for line in range(max(1, call.lineno - 4), call.lineno):
        text = ctx.line(line).strip()
        if text.startswith("#") and re.search(r"verif|display|informational", text, re.I):
            return True
    if func is None:
        return False
    decodes = [
        c
        for c in ast.walk(func)
        if isinstance(c, ast.Call) and c is not call and _jwt_decode(ctx, c)
    ]
    if any(c.lineno > call.lineno and _jwt_unverified(ctx, c) is None for c in decodes):
        return True
    target = _assigned_name(func, call)
    if target is None:
        return False
    uses = [
        n
        for n in ast.walk(func)
        if isinstance(n, ast.Name) and n.id == target and isinstance(n.ctx, ast.Load)
    ]
    return bool(uses) and all(_time_claim_read(func, n) for n in uses)


def _jwt_decode(ctx: FileContext, call: ast.Call) -> bool:
    return ctx.qualified(call.func) in {"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"}


def _assigned_name(func: ast.AST, call: ast.Call) -> str | None:
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and node.value is call and len(node.targets) == 1:
            target = node.targets[0]
            return target.id if isinstance(target, ast.Name) else None
        if isinstance(node, ast.AnnAssign) and node.value is call:
            return node.target.id if isinstance(node.target, ast.Name) else None
    return None


def _time_claim_read(func: ast.AST, name: ast.Name) -> bool:
    """``name["exp"]`` or ``name.get("exp")``."""
    for node in ast.walk(func):
        if isinstance(node, ast.Subscript) and node.value is name:
            return _string(node.slice) in _TIME_CLAIMS
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.value is name
            and node.func.attr == "get"
            and node.args
        ):
            return _string(node.args[0]) in _TIME_CLAIMS
    return False
