"""Write one benchmark's generated block into docs/benchmarks.md, leaving the other sections."""
import os
import re


def write_block(path, heading, start, end, block):
    """Replace the text between ``start`` and ``end``; else put ``block`` under ``heading``
    (appending the heading when missing). Written atomically (temp file and rename)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    elif re.search(rf"^{re.escape(heading)}\s*$", text, flags=re.M):
        text = re.sub(rf"^({re.escape(heading)}\s*\n)", lambda mt: mt.group(1) + "\n" + block + "\n", text,
                      count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
