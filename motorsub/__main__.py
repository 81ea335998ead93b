"""``python -m motorsub``: the same as the ``motorsub`` command."""

from motorsub.cli.main import run

if __name__ == "__main__":
    run()
