"""The value types: direct_init builds the same frozen instances as dataclasses' own init."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from datetime import UTC, datetime

import pytest

from aggregator import models, pipeline
from aggregator.models import direct_init
from aggregator.understand import classify, dedupe, incidents

# Every class that takes the quicker __init__, with the arguments to build one.
WHEN = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
SAMPLES: list[tuple[type, tuple[object, ...], dict[str, object]]] = [
    (models.RawItem, ("g1", "https://a.example/1", "Panne"), {"published": WHEN}),
    (models.Classification, (), {"payers": ("viamedis",), "status": "failure"}),
    (models.Merge, ("item1", "url", 1.0), {}),
    (models.Item, ("i1", "src", "https://a.example/1", "Titre"), {"kinds": ("outage",)}),
    (models.Entry, ("e1", "src", "g1", "https://a.example/1", "https://a.example/1", "T"),
     {"first_seen": WHEN, "changed": True}),  # fmt: skip
    (dedupe.Candidate, ("c1", "src", "g1", "https://a.example/1", "T", "texte", None), {}),
    (classify._Hit, (3, 10, 20), {}),
    (classify._Mention, ("almerys", 0, 7), {}),
]


def _reference(cls: type) -> type:
    """The same fields as a frozen dataclass with the __init__ dataclasses writes."""
    fields = [
        (f.name, f.type, dataclasses.field(default=f.default))
        if f.default is not dataclasses.MISSING
        else (f.name, f.type)
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True)


@pytest.mark.parametrize(("cls", "args", "kwargs"), SAMPLES, ids=lambda v: getattr(v, "__name__", ""))
def test_direct_init_builds_what_the_dataclass_init_builds(
    cls: type, args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    reference = _reference(cls)
    for given in ((args, kwargs), (args, {})):
        mine, theirs = cls(*given[0], **given[1]), reference(*given[0], **given[1])
        assert vars(mine) == vars(theirs)  # every field, defaults included, in order
        assert list(vars(mine)) == [f.name for f in dataclasses.fields(cls)]
        assert mine == cls(*given[0], **given[1]) and hash(mine) == hash(cls(*given[0], **given[1]))
        assert pickle.loads(pickle.dumps(mine)) == mine
    built = cls(*args, **kwargs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.anything = 1  # type: ignore[attr-defined]
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, first, "changed")
    # dataclasses.replace goes through the new __init__ too.
    assert dataclasses.replace(built, **{first: getattr(built, first)}) == built
    # The signature callers and tools read is the dataclass's.
    assert inspect.signature(cls) == inspect.signature(reference)


def test_direct_init_is_what_the_hot_classes_use() -> None:
    for cls in (
        *(sample[0] for sample in SAMPLES),
        dedupe.Fingerprint,
        pipeline.Analysis,
        incidents.IncidentInput,
    ):
        assert cls.__init__.__code__.co_varnames[-1] == "_own", cls  # type: ignore[misc]


def test_direct_init_refuses_what_it_cannot_copy() -> None:
    @dataclasses.dataclass
    class Mutable:
        a: int

    @dataclasses.dataclass(frozen=True)
    class Factory:
        a: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class Post:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class KeywordOnly:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    for cls in (Mutable, Factory, Post, KeywordOnly, Slotted, int):
        with pytest.raises(TypeError, match="plain frozen dataclass"):
            direct_init(cls)


def test_direct_init_with_missing_arguments_fails_as_python_does() -> None:
    with pytest.raises(TypeError, match="missing"):
        models.Merge("item1")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword"):
        models.Merge("item1", "url", 1.0, bogus=2)  # type: ignore[call-arg]
