"""terrane's local AWS emulator: moto's server plus middleware that adds call
counters, fault injection and EC2 Auto Scaling instance refresh.

Run it with ``scripts/aws-emulator`` (or ``python -m terrane_emulator``);
embed it in Python tests with :class:`terrane_emulator.server.EmulatorServer`.
"""

from typing import Any

__all__ = ["EmulatorServer"]


def __getattr__(name: str) -> Any:
    # Imported lazily: moto takes a while to import, and the command line
    # checks its arguments first.
    if name == "EmulatorServer":
        from .server import EmulatorServer

        return EmulatorServer
    raise AttributeError(name)
