// Package testkit holds the tools that tests and the load generator use to stand in for the
// world around Gatehouse: resendfake is a fake Resend API driven through the real resend-go
// client, with faults injected on demand, and tcpproxy forwards TCP connections until it is
// told to cut them, so a database can vanish and come back on the same address. None of it is
// part of the product: only *_test.go files and cmd/loadgen import these packages, and the
// test beside this file fails on any other import, so a fake can never end up
// serving real traffic.
package testkit
