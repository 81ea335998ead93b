"""``python -m motorsub``: the same as the ``motorsub`` command."""

from motorsub.cli import main

if __name__ == "__main__":
    main()
