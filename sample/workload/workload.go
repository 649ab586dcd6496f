// Package workload holds small but real workloads with distinct hot paths,
// so that their profiles show recognisable shapes: parsing, hashing,
// sorting, allocation and recursion.
package workload

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Record is one parsed line of the synthetic access log.
type Record struct {
	Method string
	Path   string
	Status int
	Bytes  int64
	Millis float64
}

// MakeLog returns n lines of a synthetic access log, deterministic for a given n.
func MakeLog(n int) string {
	var b strings.Builder
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s /api/v1/items/%d %d %d %d.%03d\n",
			methods[i%len(methods)], i*7919%100000, 200+(i%5)*100, i*37%65536, i%250, i%1000)
	}
	return b.String()
}

// ParseLog parses every line of an access log made by MakeLog.
func ParseLog(log string) ([]Record, error) {
	records := make([]Record, 0, strings.Count(log, "\n"))
	for len(log) > 0 {
		line, rest, _ := strings.Cut(log, "\n")
		log = rest
		if line == "" {
			continue
		}
		r, err := parseLine(line)
		if err != nil {
			return nil, err
		}
		records = append(records, r)
	}
	return records, nil
}

func parseLine(line string) (Record, error) {
	fields := strings.Fields(line)
	if len(fields) != 5 {
		return Record{}, fmt.Errorf("want 5 fields, got %d in %q", len(fields), line)
	}
	status, err := strconv.Atoi(fields[2])
	if err != nil {
		return Record{}, err
	}
	size, err := strconv.ParseInt(fields[3], 10, 64)
	if err != nil {
		return Record{}, err
	}
	millis, err := strconv.ParseFloat(fields[4], 64)
	if err != nil {
		return Record{}, err
	}
	return Record{Method: fields[0], Path: fields[1], Status: status, Bytes: size, Millis: millis}, nil
}

// HashChain hashes a seed n times, each round feeding the previous digest back in.
func HashChain(seed uint64, n int) [32]byte {
	var buf [40]byte
	binary.LittleEndian.PutUint64(buf[:8], seed)
	sum := sha256.Sum256(buf[:8])
	for i := 0; i < n; i++ {
		copy(buf[:32], sum[:])
		binary.LittleEndian.PutUint64(buf[32:], uint64(i))
		sum = sha256.Sum256(buf[:])
	}
	return sum
}

// SortRecords orders records by status, then by duration, then by path.
func SortRecords(records []Record) {
	sort.Slice(records, func(i, j int) bool {
		a, b := records[i], records[j]
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		if a.Millis != b.Millis {
			return a.Millis < b.Millis
		}
		return a.Path < b.Path
	})
}

// Node is a binary tree node; BuildTree allocates many of them.
type Node struct {
	Left, Right *Node
	Key         int
	Label       string
}

// BuildTree builds a complete binary tree of the given depth, allocating a
// label string for every node.
func BuildTree(depth, key int) *Node {
	if depth == 0 {
		return nil
	}
	return &Node{
		Left:  BuildTree(depth-1, 2*key),
		Right: BuildTree(depth-1, 2*key+1),
		Key:   key,
		Label: "node-" + strconv.Itoa(key),
	}
}

// CountNodes walks a tree recursively.
func CountNodes(n *Node) int {
	if n == nil {
		return 0
	}
	return 1 + CountNodes(n.Left) + CountNodes(n.Right)
}

// Fib is the naive recursive Fibonacci: deep, mutually identical stacks.
func Fib(n int) int {
	if n < 2 {
		return n
	}
	return Fib(n-1) + Fib(n-2)
}
