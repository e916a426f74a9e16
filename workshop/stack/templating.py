"""${NAME} templating as the official nginx image does it (envsubst on the names given),
so one config file per stage serves both the native stack and docker compose. nginx's
own variables ($host, $uri) have no braces and stay as they are."""

import re

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render(text: str, values: dict[str, str], *, source: str = "template") -> str:
    missing = sorted({m for m in PLACEHOLDER.findall(text) if m not in values})
    if missing:
        raise ValueError(f"{source} uses {', '.join(missing)}, which the stack does not set")
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)
