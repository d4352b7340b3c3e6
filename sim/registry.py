"""Named choices of one kind (queue orders, distribution kinds, closing rules, engines …).

A policy a configuration selects by name is registered once, where it is defined; validation
offers :meth:`Registry.names` as the allowed values of its key and the code that applies it looks
it up with :meth:`Registry.get`. Adding a choice is adding one registered function or class.
"""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Implementations of one kind of choice, by name, in the order they were registered."""

    def __init__(self, kind: str):
        self.kind = kind  # what the names choose, for messages: "queue order", "engine" …
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@ORDERS.register("edf")`` above the function or class it names."""

        def add(item: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = item
            return item

        return add

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}; known: {', '.join(self._items)}") from None

    __getitem__ = get  # REGISTRY[name] reads like the dictionary a registry replaces

    def names(self) -> tuple[str, ...]:
        return tuple(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self._items)})"
