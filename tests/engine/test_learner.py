"""The per-zone learner: collecting, history, training, status and saved state."""

import numpy as np
import pytest

from custom_components.iot_ml.engine.grid import SLOTS_PER_DAY
from custom_components.iot_ml.engine.learner import STATE_VERSION, Learner, train
from custom_components.iot_ml.engine.types import ChannelKind, ChannelSpec, GapReason, Role, Series

DAY = 86400.0
T0 = 1_793_577_600.0  # 2026-11-02 00:00 UTC, a Monday


def _learner(days: int = 3) -> Learner:
    return Learner(
        [
            ChannelSpec("motion", ChannelKind.BINARY, Role.EVIDENCE),
            ChannelSpec("temp", ChannelKind.NUMERIC, Role.ENVIRONMENT, watched=True),
        ],
        days,
        "UTC",
    )


def _history(days: float, step: float = 600.0) -> dict[str, Series]:
    times = np.arange(T0, T0 + days * DAY, step)
    temp = 20 + np.sin(times / DAY * 2 * np.pi)
    motion = (np.arange(len(times)) % 2).astype(float)
    return {"motion": Series(times, motion), "temp": Series(times, temp, {"unknown": 2})}


def test_observe_counts_samples_and_gaps() -> None:
    """Values count as samples, gaps by reason; unknown channels are ignored."""
    learner = _learner()
    learner.observe("temp", T0, 20.0)
    learner.observe("temp", T0 + 60, None, GapReason.UNAVAILABLE)
    learner.observe("temp", T0 + 120, None)
    learner.observe("nope", T0, 1.0)
    assert learner.samples["temp"] == 1
    assert learner.gaps["temp"] == {GapReason.UNAVAILABLE: 1, GapReason.INVALID: 1}
    assert "nope" not in learner.samples


def test_training_needs_data() -> None:
    """Nothing collected: nothing to train on."""
    assert _learner().training_input() is None


def test_history_train_status() -> None:
    """History in bulk, then training, then a status with coverage per role."""
    learner = _learner()
    learner.load_history(_history(2), T0 + 2 * DAY)
    assert learner.gaps["temp"] == {"unknown": 2}
    assert learner.samples["motion"] == 288
    data = learner.training_input()
    assert data is not None
    assert data.slots["temp"].shape == (3 * SLOTS_PER_DAY,)
    model = train(data, now=T0 + 2 * DAY)
    learner.apply(model)
    assert set(learner.profiles) == {"motion", "temp"}
    assert learner.profiles["motion"].mean[5] == pytest.approx(0.5, abs=0.01)
    status = learner.status(T0 + 2 * DAY)
    assert status.days_of_history == pytest.approx(2.0)
    assert status.coverage_by_role == {
        "evidence": pytest.approx(2 / 3),
        "environment": pytest.approx(2 / 3),
    }
    assert status.trained_at == T0 + 2 * DAY
    assert status.samples == 576


def test_history_after_restore_only_adds_what_was_missed() -> None:
    """A learner with data takes only newer points from history, counted once."""
    learner = _learner()
    learner.load_history(_history(1), T0 + DAY)
    before = learner.samples["temp"]
    learner.load_history(_history(2), T0 + 2 * DAY)  # overlaps the first day
    assert learner.samples["temp"] == before + 144
    assert learner.integrated_until("temp") == T0 + 2 * DAY
    assert learner.integrated_until("missing") is None


def test_channels_without_data_are_not_trained() -> None:
    """A channel with no data gets no profile."""
    learner = _learner()
    learner.load_history({"temp": _history(1)["temp"]}, T0 + DAY)
    learner.observe("motion", T0 + DAY, None, GapReason.UNKNOWN)
    data = learner.training_input()
    assert data is not None
    assert set(train(data, T0 + DAY).profiles) == {"temp"}


def test_export_import_round_trip() -> None:
    """Saved state restores values, counters, profiles and the held value."""
    learner = _learner()
    learner.load_history(_history(2), T0 + 2 * DAY)
    learner.apply(train(learner.training_input(), T0 + 2 * DAY))
    meta, arrays = learner.export_state()
    assert meta["version"] == STATE_VERSION
    other = _learner()
    other.import_state(meta, arrays)
    np.testing.assert_array_equal(other.buffers["temp"].values, learner.buffers["temp"].values)
    assert other.samples == learner.samples
    assert other.gaps == learner.gaps
    assert other.trained_at == learner.trained_at
    assert other.buffers["temp"].held == pytest.approx(learner.buffers["temp"].held)
    np.testing.assert_allclose(
        other.profiles["temp"].mean, learner.profiles["temp"].mean, atol=1e-4
    )


def test_import_skips_unknown_and_empty_channels() -> None:
    """Channels no longer configured, or saved before any data, are skipped."""
    learner = _learner()
    meta, arrays = learner.export_state()  # no data yet: end_slot None
    meta["channels"]["gone"] = {"array": "x", "end_slot": 5}
    meta["profiles"]["gone"] = {}
    other = _learner()
    other.import_state(meta, arrays)
    assert other.integrated_until("temp") is None


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda m, a: m.update(version=99), ValueError),
        (lambda m, a: m["channels"]["temp"].pop("held"), KeyError),
        (lambda m, a: a.clear(), KeyError),
        (lambda m, a: m.update(trained_at="soon"), ValueError),
    ],
)
def test_malformed_state_leaves_learner_empty(mutate, error) -> None:
    """Bad saved state raises and leaves nothing half-restored."""
    learner = _learner()
    learner.load_history(_history(1), T0 + DAY)
    learner.apply(train(learner.training_input(), T0 + DAY))
    meta, arrays = learner.export_state()
    arrays = dict(arrays)
    mutate(meta, arrays)
    other = _learner()
    with pytest.raises(error):
        other.import_state(meta, arrays)
    assert other.integrated_until("temp") is None
    assert other.profiles == {}
    assert other.trained_at is None


def test_forget() -> None:
    """Forgetting drops data, counters and the model."""
    learner = _learner()
    learner.load_history(_history(1), T0 + DAY)
    learner.apply(train(learner.training_input(), T0 + DAY))
    learner.forget()
    assert learner.training_input() is None
    assert learner.samples.total() == 0
    assert learner.profiles == {}
    assert learner.status(T0 + DAY).days_of_history == 0.0
