//go:build !linux

package redisstore_test

import "syscall"

func procAttr() *syscall.SysProcAttr { return nil }
