//go:build purego || !linux || !amd64

package asm

// requestAMX: the tile state is only requested on Linux (other systems
// either lack AMX or grant it differently); the amx level is off.
func requestAMX() bool { return false }
