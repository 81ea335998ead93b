"""Reading a plan file: TOML, a ``base`` plan merged underneath, strict validation by the
model (:mod:`motorsub.plan.model`) and then every rule that spans keys
(:mod:`motorsub.plan.checks`)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pydantic

from motorsub import i18n
from motorsub.errors import InputError
from motorsub.model.strict import problems
from motorsub.plan.checks import check
from motorsub.plan.model import Plan, PlanError

_MAX_BASE_DEPTH = 5  # plans a plan may stand on, one on another


def _fail(source: str, problems: list[tuple[str, str]]) -> PlanError:
    lines = [f"{source}: {key}: {msg}" for key, msg in problems[:10]]
    _ = i18n.translator()
    return PlanError(_("invalid plan") + "\n  " + "\n  ".join(lines))


def parse_plan(data: dict, source: str = "<memory>", folder: Path | None = None) -> Plan:
    """Validate a plan given as a dict (a parsed TOML file).

    Parameters
    ----------
    data : dict
        The plan's keys.
    source : str
        The file's name, for messages.
    folder : Path, optional
        The folder relative paths (``mix.records``, ``schemes.files``) start from.

    Raises
    ------
    PlanError
        Naming ``source`` and the key of the first problems found.
    """
    try:
        plan = Plan.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _fail(source, problems(exc)) from None
    plan._source_file = source
    plan._folder = folder if folder is not None else Path.cwd()
    found = list(check(plan))
    if found:
        raise _fail(source, found)
    return plan


def _read_toml(path: Path) -> dict:
    _ = i18n.translator()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(_("{path}: no such plan file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(
            _("{path}: cannot read the plan file: {reason}").format(path=path, reason=exc)
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(
            _("{path}: not valid TOML: {reason}").format(path=path, reason=exc)
        ) from None


def _merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: tables merge key by key; any other value replaces."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _resolve_base(path: Path, data: dict, depth: int = 0) -> dict:
    if "base" not in data:
        return data
    _ = i18n.translator()
    base = data.pop("base")
    if not isinstance(base, str):
        raise _fail(str(path), [("base", _("a path to another plan file, as a string"))])
    if depth >= _MAX_BASE_DEPTH:
        raise _fail(str(path), [("base", _("more than {n} plans deep").format(n=_MAX_BASE_DEPTH))])
    base_path = Path(base) if Path(base).is_absolute() else path.parent / base
    if not base_path.is_file():
        raise _fail(
            str(path), [("base", _("no such plan file {path!r}").format(path=str(base_path)))]
        )
    return _merge(_resolve_base(base_path, _read_toml(base_path), depth + 1), data)


def load_plan(path: str | Path) -> Plan:
    """Read and validate one plan file.

    A plan may start from another with ``base = "other.toml"`` (relative to the plan):
    its tables are merged key by key, any other value (a list included) replaces.

    Raises
    ------
    InputError
        No such file (exit code 2).
    PlanError
        The file is not TOML or breaks a rule of the format (exit code 3).
    """
    path = Path(path)
    data = _resolve_base(path, _read_toml(path))
    return parse_plan(data, str(path), path.parent)
