"""What hassfest and HACS check, checked here: manifest, hacs.json, translations, services, brand."""

import json
from pathlib import Path
import re
import tomllib

from homeassistant.core import HomeAssistant
import numpy as np
from PIL import Image
import yaml

from custom_components.iot_ml.const import DOMAIN

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text())


def test_manifest_is_valid_for_a_custom_integration() -> None:
    """Required keys, sorted as hassfest wants, and installable on HA OS (musl)."""
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert MANIFEST["domain"] == DOMAIN == INTEGRATION.name
    assert MANIFEST["iot_class"] == "calculated"
    assert MANIFEST["config_flow"] is True
    assert "recorder" in MANIFEST["after_dependencies"]
    for requirement in MANIFEST["requirements"]:
        assert " " not in requirement
        assert "==" not in requirement  # never pin what HA pins itself
        assert not requirement.lower().startswith(("scikit", "sklearn"))
    assert MANIFEST["requirements"] == ["numpy>=2.2"]


def test_urls_and_version_have_one_source() -> None:
    """The manifest's URLs and version match pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert MANIFEST["version"] == project["version"]
    assert MANIFEST["documentation"] == project["urls"]["Homepage"]
    assert MANIFEST["issue_tracker"] == project["urls"]["Issues"]
    assert MANIFEST["documentation"].startswith("https://")


def test_hacs_json() -> None:
    """Only keys HACS and the Marketplace accept; the minimum HA is the one the tests run on."""
    from homeassistant.const import __version__ as ha_version

    hacs = json.loads((ROOT / "hacs.json").read_text())
    allowed = {
        "name",
        "homeassistant",
        "hacs",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "persistent_directory",
        "country",
    }
    assert set(hacs) <= allowed
    assert hacs["name"] == MANIFEST["name"]
    assert hacs["homeassistant"] == ha_version


def test_info_md_agrees_with_readme() -> None:
    """info.md is a short summary of the README: the same features (the README's bold
    headlines), the same minimum Home Assistant, and no promises of features to come."""
    info = (ROOT / "info.md").read_text()
    readme = (ROOT / "README.md").read_text()
    intro = readme.split("\n## ", 1)[0]
    features = re.findall(r"^- \*\*(.+?)\*\*", intro, flags=re.MULTILINE)
    assert features
    assert [f for f in features if f.casefold() not in info.casefold()] == []
    minimum = json.loads((ROOT / "hacs.json").read_text())["homeassistant"]
    assert f"Requires Home Assistant {minimum} or newer" in info
    assert f"**{minimum}**" in readme
    assert "release by release" not in info
    assert len(info.splitlines()) <= 25


def test_translations_match_strings() -> None:
    """translations/en.json (read at runtime) is strings.json (read by hassfest)."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    assert json.loads((INTEGRATION / "translations" / "en.json").read_text()) == strings


def test_services_are_described_and_have_icons() -> None:
    """Every action in services.yaml has translated names for itself and its fields, and an icon."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    assert set(services) == {"train", "reset", "prediction", "plan_heating", "feedback"}
    for name, spec in services.items():
        assert strings["services"][name]["name"]
        assert set(spec["fields"]) == set(strings["services"][name]["fields"])
        assert icons["services"][name]["service"].startswith("mdi:")


def _opaque_margins(path: Path) -> tuple[tuple[int, int], tuple[int, int, int, int]]:
    """(width, height) and the fully transparent margin on the left, top, right and bottom."""
    with Image.open(path) as image:
        alpha = np.asarray(image.convert("RGBA"))[..., 3]
    rows, cols = np.nonzero(alpha)
    h, w = alpha.shape
    margins = (int(cols.min()), int(rows.min()), w - 1 - int(cols.max()), h - 1 - int(rows.max()))
    return (w, h), margins


def test_brand_images_follow_the_brand_rules() -> None:
    """HACS's brands check (custom_components/<domain>/brand/icon.png), and HA's brand rules:
    PNG, icon square 256 (@2x 512), logo shortest side 128-256 (@2x 256-512 and twice the
    logo), both trimmed: at most a small margin around the drawing."""
    brand = INTEGRATION / "brand"
    sizes = {}
    for name in ("icon", "icon@2x", "logo", "logo@2x"):
        path = brand / f"{name}.png"
        assert path.read_bytes().startswith(b"\x89PNG"), name
        sizes[name], margins = _opaque_margins(path)
        assert max(margins) <= 0.03 * min(sizes[name]), f"{name}: margins {margins} px"
    assert sizes["icon"] == (256, 256)
    assert sizes["icon@2x"] == (512, 512)
    assert 128 <= min(sizes["logo"]) <= 256
    assert 256 <= min(sizes["logo@2x"]) <= 512
    assert sizes["logo@2x"] == (2 * sizes["logo"][0], 2 * sizes["logo"][1])


async def test_registered_services_match_yaml(hass: HomeAssistant) -> None:
    """The actions registered at setup are those described."""
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, DOMAIN, {})
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    assert set(hass.services.async_services()[DOMAIN]) == set(services)


def test_quality_scale_is_complete() -> None:
    """Every rule has a status; exempt ones say why."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert len(rules) >= 50
    for rule, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] in ("done", "todo", "exempt"), rule
            if status["status"] == "exempt":
                assert status.get("comment"), rule
        else:
            assert status in ("done", "todo"), rule
