"""Every translation has exactly the keys of en.json, no empty text and the same placeholders.

en.json is what Home Assistant reads at runtime; strings.json is the source hassfest reads, where a
value may be a `[%key:...%]` reference. en.json must be strings.json with those references resolved.
"""

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

import homeassistant
import pytest

# Plain files only: the check needs no import of the integration itself.
DOMAIN = "iot_ml"
INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN
TRANSLATIONS = INTEGRATION / "translations"
HA_ROOT = Path(homeassistant.__file__).parent
REQUIRED_LANGUAGES = {"de", "fr", "nl", "es", "it", "pl", "sv"}
LANGUAGES = sorted(REQUIRED_LANGUAGES | {p.stem for p in TRANSLATIONS.glob("*.json")} - {"en"})

# The reference and placeholder syntax Home Assistant's translation scripts use.
REFERENCE = re.compile(r"\[%key:([a-z0-9_]+(?:::(?:[a-z0-9-_])+)+)%\]")
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(dotted key path, value) of every leaf, in file order."""
    if isinstance(node, dict) and node:
        for key, child in node.items():
            yield from _leaves(child, (*path, key))
    else:
        yield ".".join(path), node


def _strings_of(domain_path: list[str]) -> dict[str, Any]:
    """The strings a reference names: ours, another integration's, or HA's common ones."""
    if domain_path[0] == "common":
        return _load(HA_ROOT / "strings.json")
    assert domain_path[0] == "component", domain_path
    if domain_path[1] == DOMAIN:
        return _load(INTEGRATION / "strings.json")
    return _load(HA_ROOT / "components" / domain_path[1] / "strings.json")


def _resolve_value(value: str, seen: tuple[str, ...] = ()) -> str:
    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        assert key not in seen, f"circular reference {key}"
        parts = key.split("::")
        node: Any = _strings_of(parts)
        for part in parts[2:] if parts[0] == "component" else parts:
            assert isinstance(node, dict) and part in node, f"unknown reference {key}"
            node = node[part]
        assert isinstance(node, str), f"reference {key} is not a string"
        return _resolve_value(node, (*seen, key))

    return REFERENCE.sub(substitute, value)


def _resolve(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _resolve(child) for key, child in node.items()}
    if isinstance(node, str):
        return _resolve_value(node)
    return node


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


EN = _load(TRANSLATIONS / "en.json")
EN_LEAVES = dict(_leaves(EN))


def test_required_languages_exist() -> None:
    """The languages the integration promises are shipped."""
    shipped = {p.stem for p in TRANSLATIONS.glob("*.json")}
    assert REQUIRED_LANGUAGES | {"en"} <= shipped


def test_en_is_strings_with_references_resolved() -> None:
    """translations/en.json is strings.json with every [%key:...%] reference resolved."""
    resolved = _resolve(_load(INTEGRATION / "strings.json"))
    resolved_leaves = dict(_leaves(resolved))
    assert set(EN_LEAVES) == set(resolved_leaves), (
        f"missing in en.json: {sorted(set(resolved_leaves) - set(EN_LEAVES))}, "
        f"not in strings.json: {sorted(set(EN_LEAVES) - set(resolved_leaves))}"
    )
    differing = {k: (v, EN_LEAVES[k]) for k, v in resolved_leaves.items() if EN_LEAVES[k] != v}
    assert not differing, f"en.json differs from strings.json: {differing}"


def test_en_values_are_resolved_text() -> None:
    """en.json holds plain, non-empty text, no references left."""
    for key, value in EN_LEAVES.items():
        assert isinstance(value, str) and value.strip(), key
        assert not REFERENCE.search(value), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_matches_en(language: str) -> None:
    """Same keys in the same order as en.json, text everywhere, the English value's placeholders."""
    path = TRANSLATIONS / f"{language}.json"
    assert path.is_file(), f"{path.name} is missing"
    leaves = list(_leaves(_load(path)))
    keys = dict(leaves)
    missing = sorted(set(EN_LEAVES) - set(keys))
    extra = sorted(set(keys) - set(EN_LEAVES))
    assert not missing and not extra, f"{language}: missing {missing}, not in en.json {extra}"
    assert [k for k, _ in leaves] == list(EN_LEAVES), f"{language}: keys not in en.json's order"
    for key, value in leaves:
        assert isinstance(value, str) and value.strip(), f"{language}: {key} is empty"
        assert not REFERENCE.search(value), f"{language}: {key} holds a reference"
        assert _placeholders(value) == _placeholders(EN_LEAVES[key]), (
            f"{language}: {key} has placeholders {sorted(_placeholders(value))}, "
            f"English has {sorted(_placeholders(EN_LEAVES[key]))}"
        )
