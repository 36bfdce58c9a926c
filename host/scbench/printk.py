"""How a console log interleaves, and how to read it back in whole lines.

Every kernel message is one printk record: the console prints it at once,
a timestamp in front and a newline at the end, with the port lock held.
User space writing to /dev/console is different: the tty sends its bytes
when the UART has room, so a record can land in the middle of a user
space line.  A boot once printed

    s[    2.480000] reboot: Restarting system
    cbench-init: plan complete

and the host, reading whole lines, missed the marker.  /init now writes
its markers through /dev/kmsg, each one a record of its own, so this is
left to its fallback and to older logs; the parsers still read every
console through untangle(), which puts such a record on its own line and
joins the user space line around it again.
"""
import re

STAMP = re.compile(r"\[\s*\d+\.\d+\](?:\[\s*[CT]\d+\])?")
_LEADING_STAMP = re.compile(rf"^{STAMP.pattern} ?")


def untangle(text):
    """The console text with every record moved out of a user space line.

    A line that does not start with a timestamp but holds one later is a
    user space fragment, then a record: the record keeps its line, and
    the fragment goes in front of the next line, where the rest of it is.
    A line that starts with a timestamp is a whole record: records are
    never split.
    """
    lines = []
    fragment = ""
    for line in text.split("\n"):
        line = fragment + line
        fragment = ""
        inner = STAMP.search(line, 1)
        if inner and not STAMP.match(line):
            fragment, line = line[:inner.start()], line[inner.start():]
        lines.append(line)
    if fragment:
        lines.append(fragment)
    return "\n".join(lines)


def strip_stamp(line):
    """The line without the timestamp a record starts with."""
    return _LEADING_STAMP.sub("", line)
