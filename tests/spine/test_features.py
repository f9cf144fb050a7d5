"""The registry lists features; the core's views of diagnosers and operations come from them alone."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cloud.context import FeaturePorts
from handlers import registry
from handlers.rds.inputs import RdsPorts


def test_every_diagnoser_and_operation_belongs_to_exactly_one_feature() -> None:
    names = [f.name for f in registry.FEATURES]
    assert len(names) == len(set(names))
    owners = [f.name for f in registry.FEATURES for _ in f.diagnosers]
    assert len(owners) == len(registry.DIAGNOSERS)
    op_names = [op.name for op in registry.OPERATIONS]
    assert len(op_names) == len(set(op_names)), "two features define the same operation name"
    for feature in registry.FEATURES:
        for op in feature.operations:
            assert registry.operation(op.name) is op


def test_every_command_intent_is_answered_by_its_own_feature_diagnoser() -> None:
    for diagnoser, spec in registry.commands():
        assert registry.diagnoser_for(spec.intent) is diagnoser


@dataclass(frozen=True)
class OtherPorts:
    value: str = "other"


def test_feature_ports_hand_each_feature_only_its_own_object() -> None:
    rds = RdsPorts(default_tz="Asia/Seoul")
    ports = FeaturePorts(rds, OtherPorts())
    assert ports.get(RdsPorts) is rds
    assert ports.get(OtherPorts) == OtherPorts()
    assert FeaturePorts(OtherPorts()).get(RdsPorts) is None
