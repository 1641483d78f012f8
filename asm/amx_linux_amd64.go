//go:build !purego

package asm

import "syscall"

// requestAMX asks Linux for the tile state (arch_prctl
// ARCH_REQ_XCOMP_PERM, XTILEDATA), which a process must hold before its
// first tile instruction; the grant covers every thread of the process.
func requestAMX() bool {
	const archReqXcompPerm, xfeatureXtiledata = 0x1023, 18
	_, _, errno := syscall.RawSyscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0)
	return errno == 0
}
