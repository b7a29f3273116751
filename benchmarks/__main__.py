"""``python -m benchmarks NAME [args]`` runs one benchmark; ``--list [--quick]`` names them."""

import importlib
import sys

from benchmarks.registry import BENCHMARKS


def main() -> None:
    """Dispatch to the benchmark's own ``main`` (its arguments follow its name)."""
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m benchmarks NAME [--out DIR] [--quick] [options] | --list [--quick]")
        for b in BENCHMARKS.values():
            print(f"  {b.name:<10} {b.about}")
        return
    if args[0] == "--list":
        quick = "--quick" in args[1:]
        print(" ".join(b.name for b in BENCHMARKS.values() if b.quick_in_ci or not quick))
        return
    name = args[0]
    if name not in BENCHMARKS:
        sys.exit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
    sys.argv = [f"benchmarks.{name}", *args[1:]]
    importlib.import_module(f"benchmarks.{name}").main()


if __name__ == "__main__":
    main()
