"""The train and reset actions, their validation and responses."""

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.iot_ml.const import DOMAIN

from .conftest import make_entry, set_home_states, setup_entry

pytestmark = pytest.mark.usefixtures("no_recorder")


async def _zone_device(hass: HomeAssistant, entry_id: str, key: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{entry_id}_{key}"), entry_id
    )
    assert device is not None
    return device.id


async def test_train_all_returns_summary(hass: HomeAssistant) -> None:
    """Train without a target retrains every zone and reports each."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    response = await hass.services.async_call(
        DOMAIN, "train", {}, blocking=True, return_response=True
    )
    assert response is not None
    assert set(response["zones"]) == {"Test home", "Living room"}
    # Seeded from the current states only: one sample per channel, no history yet.
    assert response["zones"] == {
        "Test home": {"status": "collecting", "samples": 2, "days_of_history": 0.0},
        "Living room": {"status": "collecting", "samples": 7, "days_of_history": 0.0},
    }
    # Also callable without asking for a response.
    assert await hass.services.async_call(DOMAIN, "train", {}, blocking=True) is None


async def test_train_one_zone_by_device_and_name(hass: HomeAssistant) -> None:
    """A zone is named by its device, its name, or its id."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    device_id = await _zone_device(hass, entry.entry_id, "zone0")
    for zone in (device_id, "Living room", "living ROOM", "zone0"):
        response = await hass.services.async_call(
            DOMAIN,
            "train",
            {"config_entry_id": entry.entry_id, "zone": zone},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        assert list(response["zones"]) == ["Living room"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"config_entry_id": "nope"}, "entry_not_found"),
        ({"zone": "Attic"}, "zone_not_found"),
    ],
)
async def test_train_validation(hass: HomeAssistant, data: dict, key: str) -> None:
    """Bad targets raise translated validation errors."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "train", data, blocking=True)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def test_train_entry_not_loaded(hass: HomeAssistant) -> None:
    """An unloaded home, and no home at all, are reported."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "train", {"config_entry_id": entry.entry_id}, blocking=True
        )
    assert err.value.translation_key == "entry_not_loaded"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "train", {}, blocking=True)
    assert err.value.translation_key == "no_loaded_entry"


async def test_reset_forgets_and_relearns(hass: HomeAssistant) -> None:
    """Reset drops what a zone learned; with relearn it bootstraps again."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    coordinator = entry.runtime_data.coordinator
    learner = coordinator.household.zones["zone0"].learner
    assert learner.trained_at is not None
    await hass.services.async_call(
        DOMAIN, "reset", {"zone": "Living room", "relearn_history": False}, blocking=True
    )
    assert learner.trained_at is None
    assert learner.samples.total() == 0
    assert (
        coordinator.household.zones["home"].learner.trained_at is not None
    )  # other zones untouched
    await hass.services.async_call(DOMAIN, "reset", {}, blocking=True)
    await coordinator.bootstrapped.wait()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert learner.trained_at is not None  # relearned (from current states here)


async def test_reset_is_admin_only(hass: HomeAssistant, hass_read_only_user) -> None:
    """Forgetting learned state needs an admin."""
    from homeassistant.core import Context

    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN, "reset", {}, blocking=True, context=Context(user_id=hass_read_only_user.id)
        )


async def test_train_failure_raises_a_translated_error(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A training that raises shows as an error state and fails the action, in the user's
    language; what was learned before stays."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)

    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("custom_components.iot_ml.coordinator.train", broken)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "train", {"zone": "Living room"}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "training_failed"
    assert err.value.translation_placeholders == {"zones": "Living room"}
    assert entry.runtime_data.coordinator.state_of("zone0").value == "error"
