"""The link and dataset structure of an HDF5 file, read in pure Python, without h5py.

Inspecting a ``model.weights.h5`` with h5py costs more than the rest of a scan (h5py
and numpy take ~120 ms to import, and walking a few thousand objects through h5py
another ~100 ms). The inspection needs only metadata: for each link its kind (and an
external link's file and path), for each dataset its shape, element size, external
file list and whether it is virtual. This module reads exactly that from the file
format (HDF5 File Format Specification version 3) with ``seek``/``read``: superblocks
v0-v3, object headers v1 and v2 with their continuation chunks, symbol-table groups
(v1 B-trees, symbol nodes, local heaps) and compact link messages.

It is deliberately partial and strict. Anything it does not fully understand (an
unknown message, a shared message it would need, dense link storage in a fractal
heap, a virtual layout, a datatype without an exact NumPy size, any field out of
range or inconsistent) raises :class:`UnsupportedHDF5`, and the caller falls back to
h5py, which also turns a damaged file into a proper error. It never reads dataset
contents, never reads past the end of the file, and every loop is bounded by the
file's size, the visited set or the caller's member limit.

The walk mirrors libhdf5's ``H5Lvisit``/``H5Ovisit`` with name order, the order
:func:`layerhub.archive.hdf5_hazards.inspect_file` sees through h5py: depth first, links of a group
sorted by name, a group entered at its first hard link only.
"""

from __future__ import annotations

import itertools
import math
import struct
from collections.abc import Iterator
from operator import itemgetter
from typing import Any, BinaryIO, NamedTuple

from ..signals import TooManyLinks, UnsupportedHDF5

SIGNATURE = b"\x89HDF\r\n\x1a\n"
UNDEFINED = 0xFFFFFFFFFFFFFFFF
#: A file up to this size is read whole, once, and every piece of metadata is a slice
#: of it (a 200-layer model's weights are ~1 MB). Larger files are read by aligned
#: pages, so the many small metadata reads of one object header cost one system call.
WHOLE_FILE = 8 * 1024 * 1024
PAGE = 4096
MAX_CACHED_PAGES = 4096
#: Object header messages this reader understands well enough to skip or read.
NIL, DATASPACE, LINK_INFO, DATATYPE, FILL_OLD, FILL = 0x0, 0x1, 0x2, 0x3, 0x4, 0x5
LINK, EXTERNAL_FILES, LAYOUT, GROUP_INFO, FILTERS, ATTRIBUTE = 0x6, 0x7, 0x8, 0xA, 0xB, 0xC
COMMENT, MTIME_OLD, CONTINUATION, SYMBOL_TABLE, MTIME = 0xD, 0xE, 0x10, 0x11, 0x12
BTREE_K, DRIVER_INFO, ATTRIBUTE_INFO, REFCOUNT = 0x13, 0x14, 0x15, 0x16
SKIPPED = {
    NIL,
    FILL_OLD,
    FILL,
    GROUP_INFO,
    FILTERS,
    ATTRIBUTE,
    COMMENT,
    MTIME_OLD,
    MTIME,
    BTREE_K,
    DRIVER_INFO,
    ATTRIBUTE_INFO,
}
READ = {DATASPACE, LINK_INFO, DATATYPE, LINK, EXTERNAL_FILES, LAYOUT, SYMBOL_TABLE, REFCOUNT}
#: Bounds no genuine file comes near; beyond them the file is not worth trusting.
MAX_MESSAGES = 100_000
MAX_CHUNKS = 10_000
MAX_RANK = 32
MAX_TYPE_DEPTH = 8
MAX_BTREE_DEPTH = 64
#: The largest single piece of metadata read at once (an object header chunk, a local
#: heap); Keras's are a few KiB.
MAX_BLOCK = 64 * 1024 * 1024
#: IEEE half, single and double: (size, their properties: bit offset and precision,
#: exponent location and size, mantissa location and size, exponent bias).
IEEE_FLOATS = {
    (size, struct.pack("<HHBBBBI", 0, 8 * size, *fields))
    for size, fields in (
        (2, (10, 5, 0, 10, 15)),
        (4, (23, 8, 0, 23, 127)),
        (8, (52, 11, 0, 52, 1023)),
    )
}
#: h5py reads external file names into a 256-byte buffer; longer ones go to h5py.
MAX_EXTERNAL_NAME = 255
#: The fixed layouts read for every object, compiled once.
HEADER_V1 = struct.Struct("<HII")
MESSAGE_V1 = struct.Struct("<HHB")
ADDRESS_PAIR = struct.Struct("<QQ")
#: A symbol table entry: link name offset, object header address, cache type, scratch.
SYMBOL_ENTRY = struct.Struct("<QQI4x16s")
DIMENSIONS = [struct.Struct(f"<{rank}Q") for rank in range(MAX_RANK + 1)]
#: the name of a ``(name, kind, value)`` link entry
first = itemgetter(0)


class Link(NamedTuple):
    """One external link, at its full path from the root (``b"group/name"``)."""

    path: bytes
    #: the file and the object path inside it.
    filename: bytes
    target: bytes


class Dataset(NamedTuple):
    """One dataset, at the path of the first hard link that reaches it."""

    path: bytes
    shape: tuple[int, ...]
    #: the size of one element as NumPy (and so h5py) sees it.
    itemsize: int
    external_files: tuple[bytes, ...]
    virtual: bool


class _Object:
    """One object header's messages that matter here, by type."""

    __slots__ = ("count", "messages", "refcount")

    def __init__(self, refcount: int = 1) -> None:
        self.refcount = refcount
        self.messages: dict[int, list[bytes]] = {}
        self.count = 0  # messages seen, of every type

    def all(self, kind: int) -> list[bytes]:
        return self.messages.get(kind, [])

    def one(self, kind: int) -> bytes | None:
        found = self.messages.get(kind)
        if found is None:
            return None
        if len(found) > 1:
            raise UnsupportedHDF5(f"{len(found)} messages of type {kind:#x} in one object")
        return found[0]


def walk_file(fileobj: BinaryIO, size: int, max_links: int) -> Iterator[Link | Dataset]:
    """Every external link and every dataset of the file, in the order h5py visits them.

    Links are counted in ``visititems_links`` order and only external ones are
    yielded (hard and soft links hold no hazard); a dataset comes right after the
    first hard link that reaches it, which is its place in ``visititems`` order. The
    link that takes the count over ``max_links`` raises :class:`TooManyLinks`, as does
    a single group holding more, before its links are sorted (or all read).

    Malformed bytes raise :class:`UnsupportedHDF5` where they are read: every field is
    checked against the bytes that hold it before it is unpacked, and a failing read of
    the file is one too. So any other exception (a ``struct.error``, an ``IndexError``)
    is a bug in this reader, and surfaces as one instead of passing for a damaged file.
    """
    yield from _Reader(fileobj, size, max_links).walk()


def _fail(message: str) -> UnsupportedHDF5:
    return UnsupportedHDF5(message)


class _Reader:
    def __init__(self, fileobj: BinaryIO, size: int, max_links: int) -> None:
        self.file = fileobj
        self.size = size
        self.max_links = max_links
        #: symbol table addresses cached in the entries that link to a group; libhdf5
        #: may use them instead of the group's own message, so they must agree.
        self.cached: dict[int, bytes] = {}
        self.pages: dict[int, bytes] = {}
        #: what a datatype and a dataspace message say, read once for every dataset
        #: with the same pair (an optimizer's slots repeat each weight's shape):
        #: ``(size in the file, NumPy itemsize, shape, bytes of data)``
        self.types: dict[tuple[bytes, bytes], tuple[int, int, tuple[int, ...], int]] = {}
        #: (message type, body) of the skipped messages checked already
        self.checked: set[tuple[int, bytes]] = set()
        #: the whole file, when it is small enough (:data:`WHOLE_FILE`)
        self.whole: bytes | None = None
        self.base = 0
        self.root = 0
        self.eoa = 0

    # -- bytes ---------------------------------------------------------------------
    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at absolute ``offset``; never past the end of the file."""
        if offset < 0 or length < 0 or offset + length > self.size or length > MAX_BLOCK:
            raise _fail(f"read of {length} bytes at {offset} beyond the file ({self.size})")
        if self.whole is not None:
            return self.whole[offset : offset + length]
        first, last = offset // PAGE, (offset + length - 1) // PAGE
        if length == 0:
            return b""
        if first == last:
            page = self.page(first)
            start = offset - first * PAGE
            return page[start : start + length]
        if last - first > 64:
            return self.raw(offset, length)
        data = b"".join(self.page(n) for n in range(first, last + 1))
        start = offset - first * PAGE
        return data[start : start + length]

    def page(self, number: int) -> bytes:
        page = self.pages.get(number)
        if page is None:
            if len(self.pages) >= MAX_CACHED_PAGES:
                self.pages.clear()
            start = number * PAGE
            page = self.raw(start, min(PAGE, self.size - start))
            self.pages[number] = page
        return page

    def raw(self, offset: int, length: int) -> bytes:
        try:
            self.file.seek(offset)
            data = self.file.read(length)
        except OSError as exc:
            raise _fail(f"read at {offset}: {exc}") from None
        if data is None or len(data) != length:
            raise _fail(f"short read at {offset}")
        return bytes(data)

    def at(self, address: int, length: int) -> bytes:
        """Bytes at a file address (relative to the base address)."""
        if address == UNDEFINED or address + length > self.eoa:
            raise _fail(f"{length} bytes at {address}: past the end of allocation")
        whole = self.whole
        if whole is not None and 0 <= length <= MAX_BLOCK:  # base + eoa <= size
            offset = self.base + address
            return whole[offset : offset + length]
        return self.read(self.base + address, length)

    def span(self, address: int, length: int) -> tuple[bytes, int]:
        """Where :meth:`at` would cut its bytes from, ``(buffer, offset)``, without the copy."""
        whole = self.whole
        if whole is not None and 0 <= length <= MAX_BLOCK:
            if address == UNDEFINED or address + length > self.eoa:
                raise _fail(f"{length} bytes at {address}: past the end of allocation")
            return whole, self.base + address
        return self.at(address, length), 0

    # -- superblock ----------------------------------------------------------------
    def superblock(self) -> None:
        offset = 0  # a user block before the superblock goes to h5py
        if self.read(offset, 8) != SIGNATURE:
            raise _fail("no HDF5 signature at the start")
        version = self.read(offset + 8, 1)[0]
        if version in (0, 1):
            head = self.read(offset + 8, 16)
            leaf_k, inner_k = struct.unpack_from("<HH", head, 8)
            bad = any(head[1:5]) or any(head[12:16]) or not leaf_k or not inner_k
            if head[5] != 8 or head[6] != 8 or bad:
                raise _fail("superblock: sizes, versions or status flags")
            p = offset + 24 + (4 if version == 1 else 0)
            base, free, eoa, driver = struct.unpack("<4Q", self.read(p, 32))
            if free != UNDEFINED or driver != UNDEFINED:
                raise _fail("superblock: an extension or driver information block")
            entry = self.read(p + 32, 40)
            root, cache = struct.unpack_from("<QI", entry, 8)
            if cache not in (0, 1):
                raise _fail("superblock: root entry cache type")
            if cache == 1:
                self.cached[root] = entry[24:40]
        elif version in (2, 3):
            head = self.read(offset + 8, 4)
            if head[1] != 8 or head[2] != 8 or head[3]:
                raise _fail("superblock: sizes or status flags")
            block = self.read(offset, 12 + 32 + 4)
            checksum(block[:-4], block[-4:])
            base, _extension, eoa, root = struct.unpack_from("<4Q", block, 12)
        else:
            raise _fail(f"superblock version {version}")
        if base != offset:
            raise _fail(f"base address {base} is not the superblock's {offset}")
        if eoa == UNDEFINED or base + eoa > self.size:
            raise _fail(f"truncated: end of allocation {base + eoa} beyond {self.size}")
        self.base = base
        self.eoa = eoa
        self.root = root
        if root >= eoa:
            raise _fail("root object past the end of allocation")

    # -- object headers --------------------------------------------------------------
    def object(self, address: int) -> _Object:
        buffer, o = self.span(address, 16)
        if buffer[o] != 1:
            if buffer[o : o + 4] == b"OHDR":
                return self.object_v2(address)
            raise _fail(f"object header version {buffer[o]} at {address}")
        count, refcount, length = HEADER_V1.unpack_from(buffer, o + 2)
        obj = _Object(refcount)
        messages = obj.messages
        checked = self.checked
        chunks = [(address + 16, length)]
        seen = n = 0
        # What message() does, inline: this loop runs for every message of every object.
        while chunks:
            start, length = chunks.pop(0)
            seen += 1
            if seen > MAX_CHUNKS:
                raise _fail("too many object header chunks")
            buffer, p = self.span(start, length)
            end = p + length
            while p < end:
                if p + 8 > end:
                    raise _fail("object header message header cut off")
                kind, msize, flags = MESSAGE_V1.unpack_from(buffer, p)
                p += 8
                if msize % 8 or p + msize > end:
                    raise _fail("object header message misaligned or cut off")
                n += 1
                if n > MAX_MESSAGES:
                    raise _fail("too many object header messages")
                if kind == CONTINUATION:
                    if msize < 16:
                        raise _fail("continuation message cut off")
                    chunks.append(ADDRESS_PAIR.unpack_from(buffer, p))
                elif flags & ~0x05:
                    raise _fail(f"object header message flags {flags:#x}")
                elif kind in SKIPPED:
                    if kind in CHECKS:
                        key = (kind, buffer[p : p + msize])
                        if key not in checked:
                            CHECKS[kind](key[1])
                            checked.add(key)
                elif kind in READ:
                    found = messages.get(kind)
                    if found is None:
                        messages[kind] = [buffer[p : p + msize]]
                    else:
                        found.append(buffer[p : p + msize])
                else:
                    raise _fail(f"object header message type {kind:#x}")
                p += msize
        obj.count = n
        if n != count:
            raise _fail("object header message count")
        return obj

    def object_v2(self, address: int) -> _Object:
        head = self.at(address, 6)
        version, flags = head[4], head[5]
        if version != 2 or flags & ~0x3F:
            raise _fail(f"object header v{version} flags {flags:#x} at {address}")
        p = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        width = 1 << (flags & 0x3)
        length = int.from_bytes(self.at(address + p, width), "little")
        p += width
        block = self.at(address, p + length + 4)
        checksum(block[:-4], block[-4:])
        obj = _Object()
        chunks: list[tuple[int, int]] = []
        tracked = bool(flags & 0x04)
        self.messages_v2(obj, block[p : p + length], tracked, chunks)
        seen = 0
        while chunks:
            start, length = chunks.pop(0)
            seen += 1
            if seen > MAX_CHUNKS or length < 8:
                raise _fail("bad object header continuation")
            block = self.at(start, length)
            if block[:4] != b"OCHK":
                raise _fail("continuation chunk without OCHK")
            checksum(block[:-4], block[-4:])
            self.messages_v2(obj, block[4:-4], tracked, chunks)
        refcount = obj.one(REFCOUNT)
        if refcount is not None:
            if len(refcount) < 5 or refcount[0] != 0:
                raise _fail("bad reference count message")
            obj.refcount = struct.unpack_from("<I", refcount, 1)[0]
        return obj

    def messages_v2(
        self, obj: _Object, data: bytes, tracked: bool, chunks: list[tuple[int, int]]
    ) -> None:
        header = 6 if tracked else 4
        p = 0
        while len(data) - p >= header:
            kind, msize, flags = struct.unpack_from("<BHB", data, p)
            p += header
            if p + msize > len(data):
                raise _fail("object header message cut off")
            self.message(obj, kind, flags, data[p : p + msize], chunks)
            p += msize

    def message(
        self, obj: _Object, kind: int, flags: int, body: bytes, chunks: list[tuple[int, int]]
    ) -> None:
        obj.count += 1
        if obj.count > MAX_MESSAGES:
            raise _fail("too many object header messages")
        if kind == CONTINUATION:
            if len(body) < 16:
                raise _fail("continuation message cut off")
            chunks.append(struct.unpack_from("<QQ", body))
            return
        if flags & ~0x05:  # constant, unshareable; a shared message lives elsewhere
            raise _fail(f"object header message flags {flags:#x}")
        if kind in (FILL_OLD, FILL, FILTERS):
            CHECKS[kind](body)  # h5py decodes these when it opens a dataset
        if kind in SKIPPED:
            return
        if kind not in READ:
            raise _fail(f"object header message type {kind:#x}")
        obj.messages.setdefault(kind, []).append(body)

    # -- the walk --------------------------------------------------------------------
    def walk(self) -> Iterator[Link | Dataset]:
        if self.size <= WHOLE_FILE:
            self.whole = self.raw(0, self.size)
        self.superblock()
        root = self.object(self.root)
        if not is_group(root):
            raise _fail("the root object is not a group")
        visited: dict[int, _Object] = {self.root: root}
        count, max_links = 0, self.max_links
        # A stack of link iterators: depth first, a group's links in name order. A
        # group's loop breaks off to enter a subgroup and resumes when it is done.
        stack = [(b"", iter(self.links(self.root, root)))]
        while stack:
            prefix, links = stack[-1]
            for name, kind, value in links:
                count += 1
                if count > max_links:
                    raise TooManyLinks
                if kind != "hard":
                    if kind == "external":
                        yield Link(prefix + name, *value)
                    continue
                address = value
                if address in visited:
                    if visited[address].refcount < 2:
                        raise _fail(f"object at {address} linked twice with reference count 1")
                    continue
                obj = self.object(address)
                visited[address] = obj
                messages = obj.messages
                if SYMBOL_TABLE in messages or LINK_INFO in messages:  # links() takes one() of each
                    if len(stack) > 10_000:
                        raise _fail("groups nested too deep")
                    stack.append((prefix + name + b"/", iter(self.links(address, obj))))
                    break
                if DATATYPE in messages and DATASPACE in messages:  # dataset() takes one() of each
                    yield self.dataset(prefix + name, obj)
                elif (named := obj.one(DATATYPE)) is not None and obj.one(LAYOUT) is None:
                    datatype(_Cursor(named), 0)  # a committed datatype: h5py opens it
                else:
                    raise _fail(f"object at {address} is neither a group, a dataset nor a type")
            else:
                stack.pop()

    def links(self, address: int, group: _Object) -> list[tuple[bytes, str, object]]:
        """A group's links sorted by name: ``(name, kind, address or (file, path))``."""
        table = group.one(SYMBOL_TABLE)
        cached = self.cached.get(address)
        if cached is not None and table is not None and table[:16] != cached:
            raise _fail("a symbol table cached in a link disagrees with the group's")
        info = group.one(LINK_INFO)
        if table is not None:
            if info is not None or group.all(LINK):
                raise _fail("a group with both a symbol table and link messages")
            found = self.symbol_table(table)
        else:
            assert info is not None
            found = self.compact_links(info, group.all(LINK))
        if len(found) > self.max_links:
            raise TooManyLinks
        found.sort(key=first)
        names = list(map(first, found))
        if len(set(names)) != len(names):
            for a, b in itertools.pairwise(names):
                if a == b:
                    raise _fail(f"two links named {a!r} in one group")
        return found

    def compact_links(self, info: bytes, messages: list[bytes]) -> list[tuple[bytes, str, object]]:
        if len(info) < 2 or info[0] != 0 or info[1] & ~0x3:
            raise _fail("bad link info message")
        p = 2 + (8 if info[1] & 0x1 else 0)
        if len(info) < p + 16:
            raise _fail("link info message cut off")
        heap, _names = struct.unpack_from("<QQ", info, p)
        if heap != UNDEFINED:
            raise _fail("dense link storage (fractal heap)")
        return [self.link_message(body) for body in messages]

    def link_message(self, body: bytes) -> tuple[bytes, str, object]:
        r = _Cursor(body)
        version, flags = r.byte(), r.byte()
        if version != 1 or flags & ~0x1F:
            raise _fail("bad link message")
        kind = r.byte() if flags & 0x08 else 0
        if flags & 0x04:
            r.take(8)
        if flags & 0x10 and r.byte() > 1:
            raise _fail("bad link name character set")
        name = r.take(r.uint(1 << (flags & 0x3)))
        check_name(name)
        if kind == 0:
            return name, "hard", r.uint(8)
        if kind == 1:
            value = r.take(r.uint(2))
            return name, "soft", value
        if kind == 64:
            value = r.take(r.uint(2))
            if not value or value[0] != 0:
                raise _fail("external link of an unknown version or flags")
            parts = value[1:].split(b"\x00")
            if len(parts) < 3 or any(parts[2:]):
                raise _fail("external link value not two terminated strings")
            return name, "external", (parts[0], parts[1])
        raise _fail(f"link type {kind}")

    def symbol_table(self, body: bytes) -> list[tuple[bytes, str, object]]:
        if len(body) < 16:
            raise _fail("symbol table message cut off")
        btree, heap = struct.unpack_from("<QQ", body)
        data = self.local_heap(heap)
        found: list[tuple[bytes, str, object]] = []
        for child, low, high in self.btree_v1(btree, 0, 8, data):
            entries = self.symbol_node(child, data)
            names = list(map(first, entries))
            # libhdf5 finds each name by binary search through these keys and nodes:
            # a name out of place is one h5py cannot look up.
            if names != sorted(set(names)) or (
                names and ((low is not None and names[0] <= low) or names[-1] > high)
            ):
                raise _fail("symbol table names out of order")
            found.extend(entries)
            if len(found) > self.max_links:
                raise TooManyLinks
        return found

    def btree_v1(
        self, root: int, kind: int, key_size: int, heap: bytes | None = None
    ) -> list[tuple[int, Any, Any]]:
        """The leaf children of a version-1 B-tree (0: group nodes, 1: raw data chunks).

        libhdf5 reaches the nodes of one level both through their parents (to iterate)
        and along the sibling pointers (to measure the tree): they must agree. For a
        group tree each leaf comes with the name interval ``(low, high]`` its keys
        allow (``low`` None: unbounded).
        """
        level_nodes: list[tuple[int, Any, Any]] = [(root, None, None)]
        expected = -1
        seen: set[int] = set()
        while level_nodes:
            children: list[tuple[int, Any, Any]] = []
            level = expected
            for i, (address, low, high) in enumerate(level_nodes):
                if address in seen:
                    raise _fail("a B-tree node reached twice")
                seen.add(address)
                head = self.at(address, 24)
                if head[:4] != b"TREE" or head[4] != kind:
                    raise _fail(f"no B-tree node of type {kind} at {address}")
                level, used, left, right = struct.unpack_from("<BHQQ", head, 5)
                if level > MAX_BTREE_DEPTH or expected not in (-1, level) or (level and not used):
                    raise _fail("B-tree levels inconsistent")
                before = level_nodes[i - 1][0] if i else UNDEFINED
                after = level_nodes[i + 1][0] if i + 1 < len(level_nodes) else UNDEFINED
                if (left, right) != (before, after):
                    raise _fail("B-tree sibling pointers disagree with the parents")
                stride = key_size + 8
                body = self.at(address + 24, key_size + used * stride)
                keys: list[Any]
                if heap is not None:  # a group node: 8-byte keys and addresses alternate
                    values = struct.unpack_from(f"<{2 * used + 1}Q", body)
                    keys = [heap_string(heap, offset) for offset in values[::2]]
                    addresses = values[1::2]
                else:
                    keys = [None] * (used + 1)
                    addresses = [
                        struct.unpack_from("<Q", body, key_size + stride * n)[0]
                        for n in range(used)
                    ]
                if low is None and high is None:  # the root, or any node of a chunk tree (no keys)
                    children.extend(zip(addresses, keys, keys[1:], strict=False))
                    continue
                for n, child in enumerate(addresses):
                    lo = keys[n] if low is None or keys[n] is None else max(low, keys[n])
                    hi = (
                        keys[n + 1]
                        if high is None or keys[n + 1] is None
                        else min(high, keys[n + 1])
                    )
                    children.append((child, lo, hi))
            if level == 0:
                return children
            level_nodes, expected = children, level - 1
        return []

    def symbol_node(self, address: int, heap: bytes) -> list[tuple[bytes, str, object]]:
        head = self.at(address, 8)
        if head[:4] != b"SNOD" or head[4] != 1:
            raise _fail(f"no symbol table node at {address}")
        count = struct.unpack_from("<H", head, 6)[0]
        entries = self.at(address + 8, 40 * count)
        found: list[tuple[bytes, str, object]] = []
        for name_offset, header, cache, scratch in SYMBOL_ENTRY.iter_unpack(entries):
            name = heap_string(heap, name_offset)
            check_name(name)
            if cache == 2:
                value_offset = int.from_bytes(scratch[:4], "little")
                found.append((name, "soft", heap_string(heap, value_offset)))
            elif cache in (0, 1):
                if header == UNDEFINED:
                    raise _fail("hard link to an undefined address")
                if cache == 1 and self.cached.setdefault(header, scratch) != scratch:
                    raise _fail("two cached symbol tables for one group")
                found.append((name, "hard", header))
            else:
                raise _fail(f"symbol table entry cache type {cache}")
        return found

    def local_heap(self, address: int) -> bytes:
        head = self.at(address, 32)
        if head[:4] != b"HEAP" or head[4] != 0:
            raise _fail(f"no local heap at {address}")
        length, free, data = struct.unpack_from("<QQQ", head, 8)
        heap = self.at(data, length)
        # libhdf5 reads the free list when it loads the heap, and refuses a bad one.
        for _ in range(length // 16 + 1):
            if free == 1:  # H5HL_FREE_NULL
                return heap
            if free + 16 > length:
                raise _fail("bad local heap free list")
            offset = free
            free, block = struct.unpack_from("<QQ", heap, offset)
            if not free or offset + block > length:
                raise _fail("bad local heap free list")
        raise _fail("local heap free list loops")

    # -- datasets ----------------------------------------------------------------------
    def dataset(self, path: bytes, obj: _Object) -> Dataset:
        messages = obj.messages
        try:
            (dtype,), (space,), (layout,) = (
                messages[DATATYPE],
                messages[DATASPACE],
                messages[LAYOUT],
            )
        except (KeyError, ValueError):  # two messages of a type (one() says which), or no layout
            for kind in (DATATYPE, DATASPACE, LAYOUT):
                obj.one(kind)
            raise _fail("a dataset without a layout") from None
        known = self.types.get((dtype, space))
        if known is None:
            h5size, itemsize = plain_number(dtype) or datatype(_Cursor(dtype), 0)
            shape = dataspace(space)
            data_bytes = math.prod(shape) * h5size
            if data_bytes >= 1 << 64:
                raise _fail("dataset size overflows")
            known = self.types[dtype, space] = (h5size, itemsize, shape, data_bytes)
        h5size, itemsize, shape, data_bytes = known
        externals = obj.one(EXTERNAL_FILES) if EXTERNAL_FILES in messages else None
        files = self.external_files(externals) if externals is not None else ()
        virtual = self.layout(layout, len(shape), h5size, data_bytes, bool(files))
        return Dataset(path, shape, itemsize, files, virtual)

    def layout(self, body: bytes, rank: int, h5size: int, data_bytes: int, external: bool) -> bool:
        """Check the layout as libhdf5 does when opening; True for a virtual one."""
        if len(body) >= 18 and body[0] in (3, 4) and body[1] == 1:  # contiguous, as h5py writes
            address = ADDRESS_PAIR.unpack_from(body, 2)[0]
            if not external and address != UNDEFINED and address + data_bytes > self.eoa:
                raise _fail("contiguous storage beyond the end of the file")
            return False
        r = _Cursor(body)
        version = r.byte()
        if version not in (3, 4):  # libhdf5 has written version 3 since 1.6
            raise _fail(f"layout version {version}")
        cls = r.byte()
        if cls == 0:
            if r.uint(2) != data_bytes:
                raise _fail("compact data size does not match the dataset")
            return False
        if cls == 1:
            address, _size = r.uint(8), r.uint(8)
            if not external and address != UNDEFINED and address + data_bytes > self.eoa:
                raise _fail("contiguous storage beyond the end of the file")
            return False
        if cls == 2:
            if version == 3:
                ndims = r.byte()
                index = r.uint(8)
                dims = [r.uint(4) for _ in range(ndims)]
                if ndims == rank + 1 and index != UNDEFINED:
                    # libhdf5 walks the whole chunk index to measure it when h5py
                    # visits the dataset; a broken one fails there.
                    self.btree_v1(index, 1, 8 + 8 * ndims)
            else:
                flags, ndims, width = r.byte(), r.byte(), r.byte()
                if flags & ~0x3 or not 1 <= width <= 8:
                    raise _fail("bad chunked layout")
                dims = [r.uint(width) for _ in range(ndims)]
                if r.byte() not in (1, 2):  # single chunk, implicit: nothing to read
                    raise _fail("chunk index in a fixed or extensible array or a v2 B-tree")
            if ndims != rank + 1 or not all(dims) or dims[-1] != h5size:
                raise _fail("chunk dimensions inconsistent with the dataset")
            return False
        if cls == 3 and version == 4:
            raise _fail("virtual dataset")
        raise _fail(f"layout class {cls}")

    def external_files(self, body: bytes) -> tuple[bytes, ...]:
        r = _Cursor(body)
        if r.byte() != 1:
            raise _fail("external file list version")
        r.take(3)
        allocated, used = r.uint(2), r.uint(2)
        if used > allocated:
            raise _fail("external file list uses more slots than allocated")
        heap = self.local_heap(r.uint(8))
        names = []
        for _ in range(used):
            name = heap_string(heap, r.uint(8))
            r.take(16)
            if len(name) > MAX_EXTERNAL_NAME:
                raise _fail("external file name longer than h5py reads")
            names.append(name)
        return tuple(names)


class _Cursor:
    """Reads fields from one message body, failing on anything past its end."""

    def __init__(self, data: bytes) -> None:
        self.data, self.p = data, 0

    def take(self, n: int) -> bytes:
        if self.p + n > len(self.data):
            raise _fail("message cut off")
        out = self.data[self.p : self.p + n]
        self.p += n
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")


def fill_old(body: bytes) -> None:
    sized_value(body, 0)


def fill(body: bytes) -> None:
    version = body[0] if body else -1
    if version in (1, 2):
        if len(body) < 4:  # version, allocation and fill times, "defined"
            raise _fail("message cut off")
        if body[3] or version == 1:  # a value is written (version 1: always)
            sized_value(body, 4)
    elif version == 3:
        if len(body) < 2:
            raise _fail("message cut off")
        flags = body[1]
        if flags & ~0x3F or (flags & 0x10 and flags & 0x20):
            raise _fail("bad fill value flags")
        if flags & 0x20:
            sized_value(body, 2)
    else:
        raise _fail("message cut off" if version < 0 else f"fill value version {version}")


def sized_value(body: bytes, p: int) -> None:
    """A 4-byte size at ``p`` and that many bytes after it, all inside ``body``."""
    if p + 4 > len(body) or p + 4 + int.from_bytes(body[p : p + 4], "little") > len(body):
        raise _fail("message cut off")


def filters(body: bytes) -> None:
    r = _Cursor(body)
    version, count = r.byte(), r.byte()
    if version not in (1, 2) or count > 32:
        raise _fail("bad filter pipeline")
    if version == 1:
        r.take(6)
    for _ in range(count):
        ident = r.uint(2)
        named = version == 1 or ident >= 256
        name_length = r.uint(2) if named else 0
        _flags, values = r.uint(2), r.uint(2)
        name = r.take(name_length)
        if name_length and b"\x00" not in name:
            raise _fail("filter name not terminated")
        r.take(4 * values + (4 if version == 1 and values % 2 else 0))


CHECKS = {FILL_OLD: fill_old, FILL: fill, FILTERS: filters}


def is_group(obj: _Object) -> bool:
    return obj.one(SYMBOL_TABLE) is not None or obj.one(LINK_INFO) is not None


def check_name(name: bytes) -> None:
    """A plain link name: h5py cannot even visit a name that is not UTF-8."""
    if not name or b"/" in name or b"\x00" in name or name == b".":
        raise _fail(f"link name {name!r}")
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(f"link name {name!r} is not UTF-8") from None


def heap_string(heap: bytes, offset: int) -> bytes:
    end = heap.find(b"\x00", offset) if offset < len(heap) else -1
    if end < 0:
        raise _fail("string outside its local heap")
    return heap[offset:end]


def dataspace(body: bytes) -> tuple[int, ...]:
    if len(body) < 3:
        raise _fail("message cut off")
    version, rank, flags = body[0], body[1], body[2]
    if version == 1:
        if len(body) < 8:
            raise _fail("message cut off")
        p = 8
        kind = 1 if rank else 0
    elif version == 2:
        if len(body) < 4:
            raise _fail("message cut off")
        p = 4
        kind = body[3]
    else:
        raise _fail(f"dataspace version {version}")
    if rank > MAX_RANK or flags & ~(0x1 if version == 2 else 0x3) or kind > 2:
        raise _fail("bad dataspace")
    if kind != 1 and rank:
        raise _fail("scalar or null dataspace with dimensions")
    if p + 8 * rank * (2 if flags & 0x1 else 1) > len(body):
        raise _fail("message cut off")
    dims: tuple[int, ...] = DIMENSIONS[rank].unpack_from(body, p)
    if flags & 0x1:
        maxdims = DIMENSIONS[rank].unpack_from(body, p + 8 * rank)
        if any(m != UNDEFINED and m < d for d, m in zip(dims, maxdims, strict=True)):
            raise _fail("dataspace larger than its maximum")
    if any(d >= 1 << 63 for d in dims):
        raise _fail("a dimension h5py cannot hold")
    return dims


def plain_number(body: bytes) -> tuple[int, int] | None:
    """What :func:`datatype` answers for the types weights have (an integer, an IEEE
    float), read in one step; ``None`` for anything else (then :func:`datatype` reads it)."""
    if len(body) < 12 or not 1 <= body[0] >> 4 <= 4:
        return None
    cls, size = body[0] & 0x0F, int.from_bytes(body[4:8], "little")
    if size not in (1, 2, 4, 8):
        return None
    if cls == 0:
        return size, size
    bits = int.from_bytes(body[1:4], "little")
    if (
        cls == 1
        and len(body) >= 20
        and (size, body[8:20]) in IEEE_FLOATS
        and bits >> 8 == 8 * size - 1
    ):
        return size, size
    return None


def datatype(r: _Cursor, depth: int) -> tuple[int, int]:
    """``(size in the file, NumPy itemsize)`` of a datatype, for the types h5py maps plainly."""
    if depth > MAX_TYPE_DEPTH:
        raise _fail("datatype nested too deep")
    head = r.byte()
    cls, version = head & 0x0F, head >> 4
    bits = r.uint(3)
    size = r.uint(4)
    if not 1 <= version <= 4:
        raise _fail(f"datatype version {version}")
    if cls == 0 and size in (1, 2, 4, 8):  # integer
        r.take(4)
        return size, size
    if cls == 1 and (size, r.take(12)) in IEEE_FLOATS and bits >> 8 == 8 * size - 1:
        return size, size  # IEEE, sign in the top bit; h5py maps others by precision
    if cls == 3 and size >= 1:  # fixed-length string
        return size, size
    if cls == 5 and size >= 1:  # opaque, unless h5py reads a NumPy dtype from its tag
        if r.take(bits & 0xFF).startswith(b"NUMPY:"):
            raise _fail("opaque type with a NumPy tag")
        return size, size
    if cls == 8 and size in (1, 2, 4, 8):  # enum: h5py gives its base integer
        if datatype(r, depth + 1) != (size, size):
            raise _fail("enum over a non-integer base")
        return size, size
    if cls == 7 and version == 1 and (bits & 0xF, size) in ((0, 8), (1, 12)):  # reference
        return size, 8
    if cls == 9 and bits & 0xF in (0, 1):  # variable length: a Python object in NumPy
        datatype(r, depth + 1)  # h5py maps the base type too
        return size, 8
    if cls == 10 and version >= 2:  # array: a NumPy sub-array of its base
        ndims = r.byte()
        if version == 2:
            r.take(3)
        dims = [r.uint(4) for _ in range(ndims)]
        if version == 2:
            r.take(4 * ndims)
        if not 1 <= ndims <= MAX_RANK or not all(dims):
            raise _fail("bad array datatype")
        base_size, base_item = datatype(r, depth + 1)
        count = math.prod(dims)
        if base_size * count != size:
            raise _fail("array datatype size inconsistent")
        return size, base_item * count
    raise _fail(f"datatype class {cls} v{version} of size {size}")


# -- Jenkins lookup3 (hashlittle), the checksum of version-2 structures ---------------
_MASK = 0xFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _MASK


def lookup3(data: bytes, initval: int = 0) -> int:
    length = len(data)
    a = b = c = (0xDEADBEEF + length + initval) & _MASK
    p = 0
    while length > 12:
        x, y, z = struct.unpack_from("<III", data, p)
        a, b, c = (a + x) & _MASK, (b + y) & _MASK, (c + z) & _MASK
        a = (a - c) & _MASK
        a ^= _rot(c, 4)
        c = (c + b) & _MASK
        b = (b - a) & _MASK
        b ^= _rot(a, 6)
        a = (a + c) & _MASK
        c = (c - b) & _MASK
        c ^= _rot(b, 8)
        b = (b + a) & _MASK
        a = (a - c) & _MASK
        a ^= _rot(c, 16)
        c = (c + b) & _MASK
        b = (b - a) & _MASK
        b ^= _rot(a, 19)
        a = (a + c) & _MASK
        c = (c - b) & _MASK
        c ^= _rot(b, 4)
        b = (b + a) & _MASK
        length -= 12
        p += 12
    if length == 0:
        return c
    tail = data[p:] + b"\x00" * (12 - length)
    x, y, z = struct.unpack("<III", tail)
    a, b, c = (a + x) & _MASK, (b + y) & _MASK, (c + z) & _MASK
    c ^= b
    c = (c - _rot(b, 14)) & _MASK
    a ^= c
    a = (a - _rot(c, 11)) & _MASK
    b ^= a
    b = (b - _rot(a, 25)) & _MASK
    c ^= b
    c = (c - _rot(b, 16)) & _MASK
    a ^= c
    a = (a - _rot(c, 4)) & _MASK
    b ^= a
    b = (b - _rot(a, 14)) & _MASK
    c ^= b
    c = (c - _rot(b, 24)) & _MASK
    return c


def checksum(data: bytes, stored: bytes) -> None:
    if lookup3(data) != struct.unpack("<I", stored)[0]:
        raise _fail("checksum mismatch")


__all__ = ["Dataset", "Link", "walk_file"]
