"""Rule 9: warning signals — signal-tagged items with a mean at or below the signal threshold."""

from surveyapp.analysis.inputs import ItemScore, SignalAggregate
from surveyapp.analysis.signals import Signal, signal_aggregates_from_items, warning_signals
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
PREDICTED = Perspective.SUPPLIER_PREDICTS_CLIENT


def test_warning_signals_edge_at_threshold_raised():
    # Arrange
    aggregates = [
        SignalAggregate(1, SUPPLIER, "workarounds", 2, 40.0),  # exactly at 40: raised
        SignalAggregate(1, SUPPLIER, "small_errors", 2, 40.1),  # above: not raised
        SignalAggregate(1, CLIENT, "small_errors", 3, 40.0 + 1e-10),  # float noise above the edge: raised
    ]

    # Act
    signals = warning_signals(aggregates, Thresholds())

    # Assert: worst (lowest) score first
    assert signals == (
        Signal(1, SUPPLIER, "workarounds", 40.0, 2),
        Signal(1, CLIENT, "small_errors", 40.0 + 1e-10, 3),
    )


def test_warning_signals_order_worst_first_per_account():
    # Arrange
    aggregates = [
        SignalAggregate(2, CLIENT, "a", 1, 10.0),
        SignalAggregate(1, SUPPLIER, "b", 4, 30.0),
        SignalAggregate(1, CLIENT, "c", 4, 5.0),
        SignalAggregate(1, CLIENT, "d", 4, 30.0),  # ties "b" on score: client before supplier
    ]

    # Act
    signals = warning_signals(aggregates, Thresholds())

    # Assert
    assert [(s.account_id, s.item_key) for s in signals] == [(1, "c"), (1, "d"), (1, "b"), (2, "a")]


def test_warning_signals_predictions_and_empty_aggregates_ignored():
    # Arrange
    aggregates = [
        SignalAggregate(1, PREDICTED, "energy", 3, 0.0),
        SignalAggregate(1, SUPPLIER, "energy", 0, 0.0),
    ]

    # Act / Assert
    assert warning_signals(aggregates, Thresholds()) == ()


def test_signal_aggregates_from_items_mean_and_n_of_tagged_items():
    # Arrange: two staff members answer the tagged "workarounds" item with 25 and 50; "needs" is untagged
    signal = frozenset({"signal"})
    items = [
        ItemScore(1, 8, SUPPLIER, "workarounds", "fit", 1, 25.0, signal),
        ItemScore(1, 9, SUPPLIER, "workarounds", "fit", 1, 50.0, signal),
        ItemScore(1, 9, SUPPLIER, "needs", "fit", 1, 0.0),
    ]

    # Act
    aggregates = signal_aggregates_from_items(items)
    signals = warning_signals(aggregates, Thresholds())

    # Assert: mean (25 + 50) / 2 = 37.5 <= 40, n = 2
    assert aggregates == (SignalAggregate(1, SUPPLIER, "workarounds", 2, 37.5),)
    assert signals == (Signal(1, SUPPLIER, "workarounds", 37.5, 2),)
