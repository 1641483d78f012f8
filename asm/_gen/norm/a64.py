"""Shared by the norm and dropout NEON generators (norm/neon.py,
dropout/neon.py): a kernel is a list of lines; lines that start with "G "
are vector instructions in GNU syntax, which Go's arm64 assembler cannot
spell. render() encodes them all in one call of a64enc (GNU syntax in,
`WORD $0x... // mnemonic` out; it needs binutils-aarch64-linux-gnu; set
A64ENC to its path) and indents the Go assembler lines."""
import os, subprocess

A64ENC = os.environ.get("A64ENC", "a64enc")

def render(lines, header):
    gnu = sorted({l[2:].strip() for l in lines if l.startswith("G ")})
    out = subprocess.run([A64ENC] + gnu, capture_output=True, text=True, check=True).stdout.strip().split("\n")
    assert len(out) == len(gnu), (len(out), len(gnu))
    enc = dict(zip(gnu, out))
    res = [header]
    for l in lines:
        if l.startswith("G "):
            res.append("\t" + enc[l[2:].strip()])
        elif l.endswith(":") or l.startswith(("//", "TEXT", "#", "DATA", "GLOBL")) or l == "":
            res.append(l)
        else:
            res.append("\t" + l)
    return "\n".join(res) + "\n"
