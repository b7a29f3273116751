"""The per-zone learner: collecting, history, training, status and saved state."""

from collections import Counter
import io
import json
import math

import numpy as np
import pytest

from custom_components.iot_ml.engine.core.grid import SLOTS_PER_DAY, slot_of
from custom_components.iot_ml.engine.core.types import (
    ChannelKind,
    ChannelSpec,
    ChannelStatus,
    GapReason,
    Role,
    Series,
)
from custom_components.iot_ml.engine.household.learner import (
    STATE_VERSION,
    Learner,
    TrainedModel,
    TrainingInput,
    train,
)

from .test_saved_state import SAVED, arrays_of, household

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy must not warn

DAY = 86400.0
T0 = 1_793_577_600.0  # 2026-11-02 00:00 UTC, a Monday


def _specs() -> list[ChannelSpec]:
    return [
        ChannelSpec("motion", ChannelKind.BINARY, Role.EVIDENCE),
        ChannelSpec("temp", ChannelKind.NUMERIC, Role.ENVIRONMENT, watched=True),
        ChannelSpec("co2", ChannelKind.NUMERIC, Role.ENVIRONMENT),
        ChannelSpec("person", ChannelKind.BINARY, Role.PRESENCE),
    ]


def _learner(days: int = 3) -> Learner:
    return Learner(_specs(), days, "UTC")


def _history(days: float, step: float = 600.0) -> dict[str, Series]:
    """Two days: motion toggles every 10 min, temp follows a daily sine, co2 only the last 12 h."""
    times = np.arange(T0, T0 + days * DAY, step)
    temp = 20 + np.sin((times - T0) / DAY * 2 * np.pi)
    motion = (np.arange(len(times)) % 2).astype(float)
    late = times >= T0 + days * DAY - DAY / 2
    return {
        "motion": Series(times, motion),
        "temp": Series(times, temp, {"unknown": 2}),
        "co2": Series(times[late], np.full(late.sum(), 600.0)),
        "other": Series(times, temp),  # not a channel of this learner
    }


def _saved(learner: Learner):
    """Export, then through JSON and an npz file, as the integration stores it."""
    meta, arrays = learner.export_state()
    file = io.BytesIO()
    np.savez(file, **arrays)
    file.seek(0)
    with np.load(file) as npz:
        loaded = {name: npz[name] for name in npz.files}
    return json.loads(json.dumps(meta)), loaded


# -- collecting ---------------------------------------------------------------------------------


def test_observe_counts_samples_and_gaps() -> None:
    """Values count as samples, gaps by reason (INVALID when none is given)."""
    learner = _learner()
    learner.observe("temp", T0, 20.0)
    learner.observe("temp", T0 + 60, None, GapReason.UNAVAILABLE)
    learner.observe("temp", T0 + 90, None, GapReason.UNAVAILABLE)
    learner.observe("temp", T0 + 120, None)
    learner.observe("temp", T0 + 200, 22.0)
    learner.observe("motion", T0 + 10, 1.0)
    assert learner.samples == {"temp": 2, "motion": 1}
    assert learner.gaps["temp"] == {"unavailable": 2, "invalid": 1}
    assert learner.gaps["motion"] == {}
    assert learner.buffers["temp"].held == 22.0
    learner.advance(T0 + 300)
    # 60 s at 20, then a gap until 200 s, then 100 s at 22.
    assert learner.buffers["temp"].window(slot_of(T0) + 1, 1)[0] == pytest.approx(
        (20 * 60 + 22 * 100) / 160
    )
    assert learner.buffers["motion"].window(slot_of(T0) + 1, 1)[0] == 1.0
    assert learner.integrated_until("person") is None  # advance does not start empty channels


def test_unknown_keys_are_ignored() -> None:
    """Observations and history of channels the learner does not have leave no trace."""
    learner = _learner()
    learner.observe("nope", T0, 1.0)
    learner.observe("nope", T0, None, GapReason.UNKNOWN)
    learner.load_history({"nope": Series(np.array([T0]), np.array([1.0]))}, T0 + DAY)
    assert "nope" not in learner.samples
    assert "nope" not in learner.gaps
    assert "nope" not in learner.buffers
    assert learner.integrated_until("nope") is None
    assert learner.end_slot() is None


def test_load_history_into_an_empty_learner() -> None:
    """Bulk load: samples are the non-gap values, gaps come from the series."""
    learner = _learner()
    history = _history(2)
    history["temp"].values[5] = np.nan
    learner.load_history(history, T0 + 2 * DAY)
    assert learner.samples == {"motion": 288, "temp": 287, "co2": 72}
    assert learner.gaps["temp"] == {"unknown": 2}
    assert learner.integrated_until("temp") == T0 + 2 * DAY
    assert learner.end_slot() == slot_of(T0 + 2 * DAY)
    window = learner.buffers["motion"].window(slot_of(T0) + 4, 4)
    np.testing.assert_array_equal(window, [0, 0, 1, 1])


def test_load_history_after_live_data_only_adds_what_was_missed() -> None:
    """History overlapping what the learner already took in is skipped; counted once."""
    learner = _learner()
    first = {
        key: Series(s.times[s.times <= T0 + DAY + 300], s.values[s.times <= T0 + DAY + 300], s.gaps)
        for key, s in _history(2).items()
    }
    learner.load_history(first, T0 + DAY + 300)
    before = learner.samples["temp"]
    assert before == 145  # T0 .. T0 + 1 day, every 10 min
    learner.load_history(_history(2), T0 + 2 * DAY)  # overlaps the first day and then some
    assert learner.samples["temp"] == 288
    assert learner.gaps["temp"] == {"unknown": 4}  # the series' counts are added as given
    assert learner.integrated_until("temp") == T0 + 2 * DAY
    whole = _learner()
    whole.load_history(_history(2), T0 + 2 * DAY)
    end = slot_of(T0 + 2 * DAY)
    np.testing.assert_allclose(
        learner.buffers["temp"].window(end, 3 * SLOTS_PER_DAY),
        whole.buffers["temp"].window(end, 3 * SLOTS_PER_DAY),
        atol=1e-5,
    )


def test_restart_catch_up_counts_the_start_state_once() -> None:
    """After a restart the recorder repeats the state in force when the learner stopped.

    Live: 20 at 0 s, 21 at 400 s, 22 at 1000 s, saved at 1200 s. The recorder then returns 22 at
    1200 s (the start state) and the changes after it: only those are new samples, and the
    slots equal those of a learner that saw everything live.
    """
    live_points = [(T0, 20.0), (T0 + 400, 21.0), (T0 + 1000, 22.0)]
    later_points = [(T0 + 1500, 23.0), (T0 + 2000, None), (T0 + 2100, 24.0)]
    before = _learner()
    for t, v in live_points:
        before.observe("temp", t, v)
    before.advance(T0 + 1200)
    restarted = _learner()
    restarted.import_state(*_saved(before))
    assert restarted.integrated_until("temp") == T0 + 1200
    series = Series(
        np.array([T0 + 1200] + [t for t, _ in later_points]),
        np.array([22.0] + [math.nan if v is None else v for _, v in later_points]),
        {"unavailable": 1},
    )
    restarted.load_history({"temp": series}, T0 + 2400)
    assert restarted.samples["temp"] == 5
    assert restarted.gaps["temp"] == {"unavailable": 1}
    always = _learner()
    for t, v in live_points + later_points:
        always.observe("temp", t, v, None if v is not None else GapReason.UNAVAILABLE)
    always.advance(T0 + 2400)
    assert always.samples["temp"] == 5
    end = slot_of(T0 + 2400)
    np.testing.assert_allclose(
        restarted.buffers["temp"].window(end, 8), always.buffers["temp"].window(end, 8), atol=1e-5
    )
    np.testing.assert_allclose(
        always.buffers["temp"].window(end, 8),
        [20, (20 * 100 + 21 * 200) / 300, 21, (21 * 100 + 22 * 200) / 300, 22, 23, 23, 24],
        atol=1e-5,
    )


# -- learning -----------------------------------------------------------------------------------


def test_training_needs_data() -> None:
    """Nothing collected: nothing to train on."""
    learner = _learner()
    assert learner.end_slot() is None
    assert learner.training_input() is None


def test_train_and_apply() -> None:
    """Training fits each channel with data; apply installs the models and the training time."""
    learner = _learner()
    learner.load_history(_history(2), T0 + 2 * DAY)
    data = learner.training_input()
    assert isinstance(data, TrainingInput)
    assert data.end_slot == slot_of(T0 + 2 * DAY)
    assert data.tz == "UTC"
    assert set(data.slots) == {"motion", "temp", "co2", "person"}
    assert data.slots["temp"].shape == (3 * SLOTS_PER_DAY,)
    assert np.isnan(data.slots["temp"][:SLOTS_PER_DAY]).all()  # the day before the history
    assert np.isnan(data.slots["person"]).all()
    data.slots["temp"][-1] = -99.0  # a copy: the learner's buffer is untouched
    assert learner.buffers["temp"].window(data.end_slot, 1)[0] != -99.0
    model = train(learner.training_input(), now=T0 + 2 * DAY + 60)
    assert isinstance(model, TrainedModel)
    assert learner.trained_at is None
    learner.apply(model)
    assert learner.trained_at == T0 + 2 * DAY + 60


def test_status_on_a_known_input() -> None:
    """Coverage per channel and per role over the 3-day window, history length, counters."""
    learner = _learner()
    learner.load_history(_history(2), T0 + 2 * DAY)
    learner.observe("person", T0 + 2 * DAY, None, GapReason.UNAVAILABLE)
    status = learner.status(T0 + 2 * DAY)
    assert status.days_of_history == pytest.approx(2.0)
    assert status.samples == 288 + 288 + 72
    assert status.trained_at is None
    assert status.channels["temp"] == ChannelStatus(
        samples=288, coverage=pytest.approx(2 / 3), gaps={"unknown": 2}
    )
    assert status.channels["co2"].coverage == pytest.approx(0.5 / 3)
    assert status.channels["person"] == ChannelStatus(
        samples=0, coverage=0.0, gaps={"unavailable": 1}
    )
    assert status.coverage_by_role == {
        "evidence": pytest.approx(2 / 3),
        "environment": pytest.approx((2 / 3 + 0.5 / 3) / 2),
        "presence": 0.0,
    }
    # A day later without new data: the window slides, history age grows.
    later = learner.status(T0 + 3 * DAY)
    assert later.days_of_history == pytest.approx(3.0)
    assert later.coverage_by_role["evidence"] == pytest.approx(2 / 3)
    empty = _learner().status(T0)
    assert empty.days_of_history == 0.0
    assert empty.samples == 0
    assert empty.coverage_by_role == {"evidence": 0.0, "environment": 0.0, "presence": 0.0}


# -- persistence --------------------------------------------------------------------------------


def test_export_import_round_trip() -> None:
    """Saved state restores values, counters, the training time and held values."""
    learner = _learner()
    learner.load_history(_history(2), T0 + 2 * DAY)
    learner.observe("motion", T0 + 2 * DAY, None, GapReason.UNKNOWN)
    learner.observe("temp", T0 + 2 * DAY, 23.5)
    learner.apply(train(learner.training_input(), T0 + 2 * DAY))
    meta, arrays = _saved(learner)
    assert meta["version"] == STATE_VERSION
    assert meta["channels"]["motion"]["held"] is None
    assert meta["channels"]["temp"]["held"] == 23.5
    assert meta["channels"]["person"]["end_slot"] is None
    assert set(arrays) == {"c0", "c1", "c2"}  # nothing stored for the empty channel
    other = _learner()
    other.import_state(meta, arrays)
    for key in ("motion", "temp", "co2"):
        np.testing.assert_array_equal(other.buffers[key].values, learner.buffers[key].values)
        assert other.buffers[key].end_slot == learner.buffers[key].end_slot
        assert other.integrated_until(key) == learner.integrated_until(key)
    assert other.integrated_until("person") is None
    assert other.samples == learner.samples
    assert (
        other.gaps
        == learner.gaps
        == {
            "motion": Counter({"unknown": 1}),
            "temp": Counter({"unknown": 2}),
            "co2": Counter(),
            "person": Counter(),
        }
    )
    assert other.trained_at == T0 + 2 * DAY
    assert math.isnan(other.buffers["motion"].held)
    assert other.buffers["temp"].held == 23.5
    # Both carry on identically: the held 23.5 fills the open slot after the restore.
    for each in (learner, other):
        each.advance(T0 + 2 * DAY + 900)
    end = slot_of(T0 + 2 * DAY + 900)
    np.testing.assert_allclose(
        other.buffers["temp"].window(end, 4), learner.buffers["temp"].window(end, 4), atol=1e-5
    )
    assert other.buffers["temp"].window(end, 1)[0] == 23.5


def test_import_into_a_shorter_window_keeps_the_newest_days() -> None:
    """State saved with 3 days restored into a learner keeping 1 day."""
    learner = _learner(3)
    learner.load_history(_history(2), T0 + 2 * DAY)
    short = _learner(1)
    short.import_state(*_saved(learner))
    end = slot_of(T0 + 2 * DAY)
    assert short.buffers["temp"].values.shape == (SLOTS_PER_DAY,)
    np.testing.assert_array_equal(
        short.buffers["temp"].window(end, SLOTS_PER_DAY),
        learner.buffers["temp"].window(end, SLOTS_PER_DAY),
    )


def test_import_skips_unknown_and_empty_channels() -> None:
    """Channels no longer configured, or saved before any data, are skipped."""
    learner = _learner()
    meta, arrays = learner.export_state()  # no data yet: end_slot None everywhere
    assert arrays == {}
    assert meta["trained_at"] is None
    meta["channels"]["gone"] = {"array": "x", "end_slot": 5}
    meta["profiles"] = {"gone": {}}  # written by older versions: ignored
    other = _learner()
    other.import_state(meta, arrays)
    assert other.integrated_until("temp") is None
    assert "gone" not in other.buffers
    assert other.trained_at is None


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda m, a: m.update(version=99), ValueError),
        (lambda m, a: m.pop("version"), ValueError),
        (lambda m, a: m["channels"]["temp"].pop("held"), KeyError),
        # A field of the saved state itself missing or of the wrong type: refused by name.
        (lambda m, a: m.pop("channels"), ValueError),
        (lambda m, a: m.pop("trained_at"), ValueError),
        (lambda m, a: a.clear(), KeyError),
        (lambda m, a: m.update(trained_at="soon"), ValueError),
        (lambda m, a: m["channels"]["temp"].update(t=None), TypeError),
        (lambda m, a: m.update(arrival_threshold="high"), ValueError),
        (lambda m, a: m.update(channels=[]), ValueError),
        (lambda m, a: m["channels"]["temp"].update(gaps=[]), TypeError),
        (lambda m, a: a.update(c1=np.array([], dtype=np.float32)), ValueError),
        # Values that restored without complaint and broke later (issue 12).
        (lambda m, a: a.update(c1=np.zeros((2, 3), dtype=np.float32)), ValueError),
        (lambda m, a: a.update(c1=np.full(5, np.inf, dtype=np.float32)), ValueError),
        (lambda m, a: m["channels"]["temp"].update(end_slot=2**64), ValueError),
        (lambda m, a: m["channels"]["temp"].update(t=1e308), ValueError),
        (lambda m, a: m["channels"]["temp"].update(samples=1e308), ValueError),
        (lambda m, a: m.update(trained_at=1e308), ValueError),
    ],
)
def test_malformed_state_leaves_learner_empty(mutate, error) -> None:
    """Bad saved state raises one of the documented errors and leaves nothing half-restored."""
    learner = _learner()
    learner.load_history(_history(1), T0 + DAY)
    learner.apply(train(learner.training_input(), T0 + DAY))
    meta, arrays = _saved(learner)
    mutate(meta, arrays)
    other = _learner()
    other.load_history(_history(1), T0 + DAY)  # held data before: gone afterwards too
    with pytest.raises(error):
        other.import_state(meta, arrays)
    for key in ("motion", "temp", "co2", "person"):
        assert other.integrated_until(key) is None
    assert other.samples.total() == 0
    assert all(not gaps for gaps in other.gaps.values())
    assert other.trained_at is None


def test_state_that_is_not_a_mapping() -> None:
    """A saved learner that is not even a mapping is refused like a wrong version."""
    with pytest.raises(ValueError, match="version None"):
        _learner().import_state([], {})  # type: ignore[arg-type]


def test_forget() -> None:
    """Forgetting drops data, counters and the model, and the learner starts over."""
    learner = _learner()
    learner.load_history(_history(1), T0 + DAY)
    learner.apply(train(learner.training_input(), T0 + DAY))
    learner.forget()
    assert learner.training_input() is None
    assert learner.samples.total() == 0
    assert learner.gaps == {key: Counter() for key in ("motion", "temp", "co2", "person")}
    assert learner.occupancy is None
    assert learner.trained_at is None
    assert learner.status(T0 + DAY).days_of_history == 0.0
    assert set(learner.channels) == {"motion", "temp", "co2", "person"}
    learner.load_history(_history(1), T0 + DAY)  # bulk again, as for a new learner
    assert learner.samples["temp"] == 144


def test_queries_change_nothing() -> None:
    """Reading occupancy, the thermal state or the status at a later time closes no slot;
    ``advance`` does, and the queries then read the slots it closed."""
    house = household()
    zone = SAVED["zones"]["living"]
    learner = house.zones["living"].learner
    learner.import_state(zone["meta"], arrays_of(zone))
    later = SAVED["now"] + 3 * 3600.0

    def state() -> list[tuple[float | None, int | None, bytes]]:
        return [
            (b.integrated_until, b.end_slot, b.values.tobytes()) for b in learner.buffers.values()
        ]

    before = state()
    stale, _ = learner.recent(later)
    assert learner.occupancy_now(later) is not None
    assert learner.thermal_state(later, house.outdoor) is not None
    learner.status(later)
    assert state() == before
    assert np.isnan(stale["motion"][-2])  # the last three hours are not closed yet
    learner.advance(later)
    assert all(b.integrated_until == later for b in learner.buffers.values())
    fresh, _ = learner.recent(later)
    assert not np.isnan(fresh["motion"][-2])  # now they are: the held value


def test_coverage_is_read_once_an_hour_and_anew_after_history() -> None:
    """The status sensor's coverage windows 28 days of every channel: once an hour, not every
    tick; loading history or forgetting refreshes it at once."""
    learner = _learner()
    now = T0 + 2 * DAY + 60
    assert learner.status(now).days_of_history == 0.0
    learner.load_history(_history(2), now)
    status = learner.status(now)
    assert status.days_of_history == pytest.approx(2.0, abs=0.01)
    assert status.samples > 0
    learner.observe("co2", now + 120, 650.0)
    again = learner.status(now + 600)  # same hour: coverage kept, samples live
    assert again.channels["co2"].coverage == status.channels["co2"].coverage
    assert again.samples == status.samples + 1
    learner.forget()
    assert learner.status(now + 600).days_of_history == 0.0
