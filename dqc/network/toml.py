"""Networks in TOML (the format of ``targets/*.toml``): reading, checking, writing.

A network file has ``[[qpu]]`` tables (``name``, ``data_qubits``, ``comm_qubits``,
``technology`` and technology figures), ``[[link]]`` tables (``qpus = [a, b]`` and
the figures of a direct or physical :class:`~dqc.network.parts.Link`), an optional
``[defaults]`` table for either, and optional ``name`` and ``description``. Every key
is checked; a message names the table and the file.
:class:`~dqc.network.model.Network` reads and writes through here
(``Network.from_toml``, ``from_dict``, ``to_dict``, ``to_toml``).

Examples:
    >>> doc = {"qpu": [{"name": "a", "data_qubits": 2}, {"name": "b", "data_qubits": 2}],
    ...        "link": [{"qpus": ["a", "b"], "rate_hz": 5.0}]}
    >>> qpus, links, name = from_dict(lambda *parts: parts, doc)
    >>> links[0].rate_hz, name
    (5.0, '')
    >>> print(dumps(to_dict("", qpus[:1], ())))
    [[qpu]]
    name = "a"
    data_qubits = 2
    comm_qubits = 2
    <BLANKLINE>
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from dqc.errors import NetworkError
from dqc.network.parts import (
    DIRECT_KEYS,
    PHYSICAL_KEYS,
    PURIFICATION_KEYS,
    QPU,
    Link,
    link_default,
)
from dqc.network.physics import TECHNOLOGIES, TECHNOLOGY_FIELDS, Technology, is_int, is_real

__all__ = ["dumps", "from_dict", "read", "to_dict", "tomllib"]

_QPU_KEYS = ("name", "data_qubits", "comm_qubits", "technology", *TECHNOLOGY_FIELDS)
_LINK_KEYS = ("qpus", "rate_hz", "fidelity", "latency_s", "channels", *PHYSICAL_KEYS,
              *PURIFICATION_KEYS)
_DEFAULT_KEYS = ("data_qubits", "comm_qubits", "rate_hz", "fidelity", "latency_s", "channels",
                 *PHYSICAL_KEYS, *PURIFICATION_KEYS, "technology", *TECHNOLOGY_FIELDS)
#: The kind of every link key that is not a float.
_LINK_KINDS = {"channels": int, "heralding": str, "purification": str,
               "purification_rounds": int}
_TOP_KEYS = ("name", "description", "defaults", "qpu", "link")

N = TypeVar("N")
#: What builds the network from its parts (the ``Network`` class).
NetworkMaker = Callable[[tuple[QPU, ...], tuple[Link, ...], str], N]


# ------------------------------------------------------------------------- reading
def read(path: str | Path) -> Any:
    """The parsed TOML document in file ``path``.

    Raises:
        NetworkError: If the file is missing or unreadable, not UTF-8 or not valid
            TOML; the message names the file.
    """
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise NetworkError(f"network file '{path}' not found") from None
    except tomllib.TOMLDecodeError as e:
        raise NetworkError(f"network file '{path}' is not valid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise NetworkError(f"network file '{path}' is not UTF-8 text: {e}") from None
    except OSError as e:
        raise NetworkError(f"cannot read network file '{path}': {e.strerror}") from None


def from_dict(make: NetworkMaker[N], d: Any, source: str | None = None) -> N:
    """The network a parsed document describes, built by ``make(qpus, links, name)``.

    Args:
        make: The network's constructor (``Network``, or a subclass).
        d: The parsed document.
        source: File name for error messages.

    Raises:
        NetworkError: On an unknown key, a value of the wrong type, or an invalid
            QPU, link or network; the message names the table and ``source``.
    """
    where = f" of {source}" if source else ""
    if not isinstance(d, Mapping):
        raise NetworkError(f"network description{where} must be a table, got {d!r}")
    _check_keys(d, _TOP_KEYS, "the top level", where)
    defaults = _table(d.get("defaults", {}), "[defaults]", where)
    _check_keys(defaults, _DEFAULT_KEYS, "[defaults]", where)
    qpu_tables = _array(d.get("qpu", []), "qpu", where)
    link_tables = _array(d.get("link", []), "link", where)
    name = d.get("name", "")
    if not isinstance(name, str):
        raise NetworkError(f"name = {name!r}{where} must be a string")
    qpus = tuple(_qpu(t, defaults, f"[[qpu]] #{i}", where) for i, t in enumerate(qpu_tables, 1))
    links = tuple(_link(t, defaults, f"[[link]] #{i}", where)
                  for i, t in enumerate(link_tables, 1))
    return _wrap(make, where, qpus, links, name)


def _qpu(t: Mapping[str, Any], defaults: Mapping[str, Any], table: str, where: str) -> QPU:
    """The QPU of one ``[[qpu]]`` table."""
    _check_keys(t, _QPU_KEYS, table, where)
    qpu_name = _value(t, {}, "name", table, where, str)
    args = {k: _value(t, defaults, k, table, where, int) for k in ("data_qubits", "comm_qubits")}
    args["technology"] = _technology(t, defaults, table, where)
    return _wrap(QPU, where, qpu_name,
                 **{k: v for k, v in args.items() if v is not _MISSING})


def _link(t: Mapping[str, Any], defaults: Mapping[str, Any], table: str, where: str) -> Link:
    """The link of one ``[[link]]`` table."""
    _check_keys(t, _LINK_KEYS, table, where)
    ends = t.get("qpus")
    if ends is None:
        raise NetworkError(f"{table}{where} has no 'qpus' (a list of two QPU names)")
    if (not isinstance(ends, list) or len(ends) != 2
            or not all(isinstance(e, str) for e in ends)):
        raise NetworkError(
            f"qpus = {ends!r} in {table}{where} must be a list of two QPU names"
        )
    # a link's own description (direct or physical) hides the other kind's defaults
    skip: tuple[str, ...] = ()
    if any(k in t for k in PHYSICAL_KEYS):
        skip = DIRECT_KEYS
    elif any(k in t for k in DIRECT_KEYS):
        skip = PHYSICAL_KEYS
    # the purification keys' type errors name the link too
    named = f"{table} (link {ends[0]}-{ends[1]})"
    args = {
        k: _value(t, {} if k in skip else defaults, k, named if k in PURIFICATION_KEYS else table,
                  where, _LINK_KINDS.get(k, float))
        for k in _LINK_KEYS[1:]
    }
    return _wrap(Link, where, *ends,
                 **{k: v for k, v in args.items() if v is not _MISSING})


# ------------------------------------------------------------------------- writing
def to_dict(name: str, qpus: Iterable[QPU], links: Iterable[Link]) -> dict[str, Any]:
    """A network's parts as a plain dict in the TOML layout (``name`` only if set)."""
    d: dict[str, Any] = {"name": name} if name else {}
    d["qpu"] = [_qpu_dict(q) for q in qpus]
    d["link"] = [_link_dict(link) for link in links]
    return d


def dumps(d: Mapping[str, Any]) -> str:
    """The TOML text of a dict from :func:`to_dict` (``name``, ``qpu``, ``link``)."""
    name = d.get("name", "")
    lines = [f"name = {_toml_str(name)}", ""] if name else []
    for table in ("qpu", "link"):
        for entry in d.get(table, ()):
            lines.append(f"[[{table}]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
            lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------- helpers
def _toml_str(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    for ch in sorted({c for c in out if ord(c) < 0x20 or ord(c) == 0x7F}):
        out = out.replace(ch, f"\\u{ord(ch):04x}")
    return f'"{out}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _qpu_dict(q: QPU) -> dict[str, Any]:
    d: dict[str, Any] = {"name": q.name, "data_qubits": q.data_qubits,
                         "comm_qubits": q.comm_qubits}
    if q.technology is not None:
        d["technology"] = q.technology.name
        d.update(q.technology.overrides())
    return d


def _link_dict(link: Link) -> dict[str, Any]:
    d: dict[str, Any] = {"qpus": [link.a, link.b]}
    if link.physical:
        d["fidelity"] = link.fidelity
        for key in PHYSICAL_KEYS:
            value = getattr(link, key)
            if key in ("length_km", "attempt_rate_hz", "efficiency") or (
                    value != link_default(key)):
                d[key] = value
    else:
        d.update(rate_hz=link.rate_hz, fidelity=link.fidelity, latency_s=link.latency_s)
    if link.channels != 1:
        d["channels"] = link.channels
    for key in PURIFICATION_KEYS:
        if getattr(link, key) != link_default(key):
            d[key] = getattr(link, key)
    return d


def _check_keys(t: Mapping[str, Any], known: Sequence[str], table: str, where: str) -> None:
    for key in t:
        if key not in known:
            raise NetworkError(
                f"unknown key {key!r} in {table}{where}; known: {', '.join(known)}"
            )


def _table(value: Any, table: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise NetworkError(f"{table}{where} must be a table, got {value!r}")
    return value


def _array(value: Any, key: str, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(t, Mapping) for t in value):
        raise NetworkError(f"'{key}'{where} must be an array of tables ([[{key}]])")
    return value


_MISSING = object()
_REQUIRED = ("data_qubits", "name")


def _value(t: Mapping[str, Any], defaults: Mapping[str, Any], key: str, table: str,
           where: str, kind: type) -> Any:
    if key in t:
        value, origin = t[key], table
    elif key in defaults:
        value, origin = defaults[key], "[defaults]"
    elif key in _REQUIRED:
        raise NetworkError(f"{table}{where} has no {key!r}")
    else:
        return _MISSING
    ok = {int: is_int, float: is_real, str: lambda v: isinstance(v, str)}[kind](value)
    if not ok:
        what = {int: "an integer", float: "a number", str: "a string"}[kind]
        raise NetworkError(f"{key} = {value!r} in {origin}{where} must be {what}")
    return value


def _technology(t: Mapping[str, Any], defaults: Mapping[str, Any], table: str,
                where: str) -> Any:
    """The QPU's technology: a preset (``technology = "nv"``) with figures overridden."""
    name = _value(t, defaults, "technology", table, where, str)
    figures = {k: _value(t, defaults, k, table, where, float) for k in TECHNOLOGY_FIELDS}
    figures = {k: v for k, v in figures.items() if v is not _MISSING}
    if name is _MISSING:
        if figures:
            raise NetworkError(
                f"{table}{where} sets {next(iter(figures))} but no technology; add "
                f"technology = one of {', '.join(map(repr, TECHNOLOGIES))} (or a new name "
                "with every figure)")
        return _MISSING
    base = TECHNOLOGIES.get(name)
    if base is None:
        missing = [k for k in TECHNOLOGY_FIELDS if k not in figures]
        if missing:
            raise NetworkError(
                f"technology {name!r} in {table}{where} is not a preset "
                f"({', '.join(TECHNOLOGIES)}); a new technology needs every figure, "
                f"missing: {', '.join(missing)}")
        return _wrap(Technology, where, name, **figures)
    return _wrap(base.evolve, where, **figures)


def _wrap(make: Any, where: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return make(*args, **kwargs)
    except NetworkError as e:
        if not where:
            raise
        raise NetworkError(f"{e}{where.replace(' of ', ' (in ', 1)})") from None
