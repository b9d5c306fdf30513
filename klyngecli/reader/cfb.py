"""The compound file (OLE2) of an xls, read the way python-calamine reads it, with every chain
bounded.

This mirrors calamine 0.37's cfb.rs on purpose, rather than using olefile: the screen must read
the very bytes calamine will read (the first directory entry of a name, the mini stream for
streams under 4096 bytes, `Workbook` then `Book`), and calamine follows the DIFAT and FAT
without looking for loops (a looping DIFAT runs forever, a looping FAT builds a stream of the
size the directory claims, up to 4 GiB). Here a chain that comes back to a sector, a FAT of
more sectors than the file has, and every place where calamine would panic (a sector past the
data, an index past the FAT) are `CfbUnsafe`; what calamine reports as an error is `CfbError`.
Memory and time are linear in the file size.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RESERVED = 0xFFFF_FFFA
_DIFSECT = 0xFFFF_FFFC
_ENDOFCHAIN = 0xFFFF_FFFE
_MINI_CUTOFF = 4096
_MINI_SECTOR = 64
_HEADER_DIFAT = 109  # FAT sector ids in the header (some writers leave the unused ones 0)
WORKBOOK_NAMES = ("Workbook", "Book", "WORKBOOK", "BOOK")  # calamine's order


class CfbError(ValueError):
    """The container is damaged; calamine reports it too."""


class CfbUnsafe(CfbError):
    """The container is damaged where calamine would loop, panic or read outside it."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    start: int
    size: int


def _u32s(data: bytes | memoryview) -> array[int]:
    if len(data) % 4:
        raise CfbUnsafe("a sector of the sector table is cut short")
    table = array("I")
    table.frombytes(bytes(data))
    if sys.byteorder == "big":
        table.byteswap()
    return table


class Cfb:
    """The directory and sector tables of one compound file held in memory."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or data[:8] != MAGIC:
            raise CfbError("not an OLE2 file")
        version, shift, mini_shift = struct.unpack_from("<H2xHH", data, 26)
        if shift not in (9, 12) or mini_shift != 6:
            raise CfbError("invalid sector size")
        self.size = 1 << shift
        if len(data) < self.size:
            raise CfbError("truncated header")
        dir_start, mini_fat_start, mini_fat_len, difat_start = (
            struct.unpack_from("<I", data, 48)[0],
            *struct.unpack_from("<III", data, 60),
        )
        self.body = memoryview(data)[self.size :]
        self.maxid = len(data) // self.size
        # calamine reads the file once, front to back, into a buffer it pads with zeros when a
        # sector runs past the end; `filled` is that buffer's length, `eof` whether the end was
        # met (then the padding is read as data).
        self.filled = 0
        self.eof = False
        difat = _u32s(memoryview(data)[76:512])
        seen: set[int] = set()
        sector = difat_start
        while sector < _RESERVED:
            if sector in seen:
                raise CfbUnsafe("the DIFAT chain loops")
            seen.add(sector)
            difat.extend(_u32s(self._sector(sector)))
            sector = difat.pop()
        fat_sectors: list[int] = []
        for sector in difat:
            if sector < _DIFSECT:
                fat_sectors.append(sector)
                if len(fat_sectors) > self.maxid + 1 + _HEADER_DIFAT:
                    raise CfbUnsafe("more FAT sectors than the file has sectors")
        self.fat = array("I")
        for sector in fat_sectors:
            self.fat.extend(_u32s(self._sector(sector)))
        self.entries = self._directory(self._chain(dir_start, self.fat, None), version)
        self.mini_fat = array("I")
        self.mini_stream = bytearray()
        if mini_fat_len > 0:
            root = self.entries[0]
            self.mini_stream = bytearray(self._chain(root.start, self.fat, root.size))
            self.mini_fat = _u32s(self._chain(mini_fat_start, self.fat, mini_fat_len * self.size))

    def _sector(self, sector: int) -> bytes:
        """Sector `sector` as calamine's `Sectors::get` returns it (short, or padded, at the
        end of the file)."""
        if sector > self.maxid:
            raise CfbError(f"sector {sector} points past the end of the file")
        start = sector * self.size
        end = start + self.size
        if end <= self.filled:
            return self._padded(start, end)
        if self.eof:
            last = self.filled
        else:
            last = min(end, len(self.body))
            self.eof = end > len(self.body)
        self.filled = end
        if start > last:
            raise CfbUnsafe(f"sector {sector} lies past the data")
        return self._padded(start, last)

    def _padded(self, start: int, end: int) -> bytes:
        data = bytes(self.body[start:end])
        return data + bytes(end - start - len(data))

    def _chain(self, sector: int, fat: array[int], length: int | None) -> bytes:
        """The sectors of a chain, up to `length` bytes (None: to its end)."""
        out = bytearray()
        seen: set[int] = set()
        while sector != _ENDOFCHAIN:
            if sector in seen:
                raise CfbUnsafe("a sector chain loops")
            seen.add(sector)
            data = self._sector(sector)
            if length is not None:
                out += data[: length - len(out)]
                if len(out) >= length:
                    break
            else:
                out += data
            if sector >= len(fat):
                raise CfbUnsafe("a sector chain leaves the sector table")
            sector = fat[sector]
        return bytes(out)

    def _mini_chain(self, sector: int, length: int) -> bytes:
        out = bytearray()
        seen: set[int] = set()
        while sector != _ENDOFCHAIN:
            if sector in seen:
                raise CfbUnsafe("a mini sector chain loops")
            seen.add(sector)
            if sector > self.maxid * 8:
                raise CfbError(f"mini sector {sector} points past the end of the file")
            start = sector * _MINI_SECTOR
            end = start + _MINI_SECTOR
            last = len(self.mini_stream)
            if end > last:
                # calamine reads the rest of a mini sector from where its file reader stands:
                # nothing at the end of the file (the sector is short, then zeros), else bytes
                # that belong elsewhere.
                if not self.eof:
                    raise CfbUnsafe("a mini sector lies outside the mini stream")
                self.mini_stream.extend(bytes(end - last))
                if start > last:
                    raise CfbUnsafe("a mini sector lies past the mini stream")
                end = last
            out += self.mini_stream[start:end][: length - len(out)]
            if len(out) >= length:
                break
            if sector >= len(self.mini_fat):
                raise CfbUnsafe("a mini sector chain leaves the mini sector table")
            sector = self.mini_fat[sector]
        return bytes(out)

    def _directory(self, data: bytes, version: int) -> list[Entry]:
        need = 124 if self.size == 512 else 128
        entries: list[Entry] = []
        for offset in range(0, len(data), 128):
            chunk = data[offset : offset + 128]
            if len(chunk) < need:
                raise CfbUnsafe("a directory entry is cut short")
            name = chunk[:64].decode("utf-16-le", "replace").split("\0", 1)[0]
            start = struct.unpack_from("<I", chunk, 116)[0]
            size = struct.unpack_from("<I" if self.size == 512 else "<Q", chunk, 120)[0]
            entries.append(Entry(name, start, size))
        if not entries or (version != 3 and entries[0].start == _ENDOFCHAIN):
            raise CfbError("empty root directory")
        return entries

    def has(self, name: str) -> bool:
        return any(e.name == name for e in self.entries)

    def stream(self, name: str) -> bytes | None:
        """The first stream of this name, as calamine reads it; None when there is none."""
        entry = next((e for e in self.entries if e.name == name), None)
        if entry is None:
            return None
        if entry.size < _MINI_CUTOFF:
            return self._mini_chain(entry.start, entry.size)
        return self._chain(entry.start, self.fat, entry.size)

    def workbook(self) -> bytes | None:
        """The workbook stream calamine's xls reader takes: the first of its names that reads
        without an error."""
        for name in WORKBOOK_NAMES:
            try:
                found = self.stream(name)
            except CfbUnsafe:
                raise
            except CfbError:
                continue
            if found is not None:
                return found
        return None
