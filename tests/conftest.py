import pytest

from motorsub.schemes import load_schemes


@pytest.fixture(scope="session")
def shipped():
    """The shipped schemes, loaded once."""
    return load_schemes()
