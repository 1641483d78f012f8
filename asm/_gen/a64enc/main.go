// Command a64enc encodes AArch64 vector instructions for Go's arm64
// assembler, which cannot spell most of them: each instruction in GNU syntax
// (one per argument, or one per line of standard input when there are no
// arguments) becomes a line `WORD $0x<word> // <instruction>`, the
// instruction as objdump spells it. The Python
// NEON generators (vec/neon.py, norm/neon.py, dropout/neon.py,
// gemv/neon.py) call it; build it with
//
//	go build -o /tmp/a64enc ./a64enc
//
// from asm/_gen and pass A64ENC=/tmp/a64enc. It needs
// binutils-aarch64-linux-gnu.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/nnrt/nnrt/asm/_gen/act/neon"
)

func main() {
	lines := os.Args[1:]
	if len(lines) == 0 {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, l)
			}
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "a64enc:", err)
			os.Exit(1)
		}
	}
	words, texts, err := neon.Encode([]byte(strings.Join(lines, "\n") + "\n"))
	if err == nil && len(words) != len(lines) {
		err = fmt.Errorf("%d instructions encoded into %d words", len(lines), len(words))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "a64enc:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	for i, t := range texts {
		fmt.Fprintf(w, "WORD $0x%s // %s\n", words[i], t)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "a64enc:", err)
		os.Exit(1)
	}
}
