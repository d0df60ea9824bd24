"""Writing an Office package part by part: unchanged parts copied still compressed.

Saving a package with :mod:`zipfile` deflates every part again. A letter's
styles (800 kB) or a submitted workbook's untouched sheets do not change, so
:func:`archive` writes entries given already compressed: :func:`copied` takes
one from an existing archive as it is stored there, :func:`deflated` compresses
new bytes as :mod:`zipfile` would. Every entry is stamped with the current
time, as a save stamps it. Archives that would need zip64 are refused
(:class:`ValueError`): letters and annotated copies are far from 4 GiB.
"""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from dataclasses import dataclass

#: A zip archive's local file header, central directory entry and end record.
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
#: General-purpose flags: encrypted; sizes in a data descriptor after the data; UTF-8 name.
_ENCRYPTED, _DESCRIPTOR, _UTF8 = 0x01, 0x08, 0x800


@dataclass(frozen=True, slots=True)
class Entry:
    """One part of a zip archive, compressed, with what its headers say of it.

    The defaults are what :mod:`zipfile` writes for a part it is given as bytes.
    """

    name: bytes
    #: General-purpose flags, without "sizes in a data descriptor" (they are in the header).
    flags: int
    method: int
    crc: int
    size: int
    body: bytes
    extract_version: int = zipfile.DEFAULT_VERSION
    create_version: int = zipfile.DEFAULT_VERSION
    create_system: int = zipfile.ZipInfo().create_system
    internal_attr: int = 0
    external_attr: int = 0o600 << 16


def deflate(data: bytes) -> bytes:
    """Compress a part as :mod:`zipfile` does (raw deflate, default level)."""
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def deflated(name: str, data: bytes, *, crc: int | None = None, body: bytes | None = None) -> Entry:
    """A new part, deflated (``crc`` and ``body`` when they are already known)."""
    return Entry(
        name.encode(),
        0 if name.isascii() else _UTF8,
        zipfile.ZIP_DEFLATED,
        zlib.crc32(data) if crc is None else crc,
        len(data),
        deflate(data) if body is None else body,
    )


def copied(archive: bytes, info: zipfile.ZipInfo) -> Entry:
    """A part of an archive as it is stored there: its bytes not decompressed.

    Args:
        archive: The whole archive.
        info: The part's entry, from :class:`zipfile.ZipFile` on ``archive``.

    Raises:
        ValueError: The part is encrypted, or its stored bytes are cut short.
    """
    if info.flag_bits & _ENCRYPTED:
        raise ValueError(f"{info.filename} is encrypted")
    header = _LOCAL.unpack_from(archive, info.header_offset)
    start = info.header_offset + _LOCAL.size + header[-2] + header[-1]
    body = archive[start : start + info.compress_size]
    if header[0] != b"PK\x03\x04" or len(body) != info.compress_size:
        raise ValueError(f"{info.filename} is cut short")
    return Entry(
        info.filename.encode("utf-8" if info.flag_bits & _UTF8 else "cp437"),
        info.flag_bits & ~_DESCRIPTOR,
        info.compress_type,
        info.CRC,
        info.file_size,
        body,
        info.extract_version,
        info.create_version,
        info.create_system,
        info.internal_attr,
        info.external_attr,
    )


def archive(entries: list[Entry]) -> bytes:
    """A zip archive of the entries, in their order, each stamped with the current time.

    Raises:
        ValueError: It would need zip64.
    """
    if len(entries) >= 0xFFFF:
        raise ValueError("an archive of this many parts needs zip64")
    now = time.localtime(time.time())[:6]
    clock = now[3] << 11 | now[4] << 5 | now[5] // 2
    day = (now[0] - 1980) << 9 | now[1] << 5 | now[2]
    out, central = bytearray(), bytearray()
    for e in entries:
        offset = len(out)
        if max(offset, e.size, len(e.body)) >= 0xFFFF_FFFF:
            raise ValueError("an archive this large needs zip64")
        out += _LOCAL.pack(
            b"PK\x03\x04", e.extract_version, 0, e.flags, e.method,
            clock, day, e.crc, len(e.body), e.size, len(e.name), 0,
        )  # fmt: skip
        out += e.name + e.body
        central += _CENTRAL.pack(
            b"PK\x01\x02", e.create_version, e.create_system, e.extract_version, 0,
            e.flags, e.method, clock, day, e.crc, len(e.body), e.size, len(e.name), 0, 0, 0,
            e.internal_attr, e.external_attr, offset,
        )  # fmt: skip
        central += e.name
    start = len(out)
    out += central
    out += _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)
