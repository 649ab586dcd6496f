package workload

import (
	"strconv"
	"testing"
)

func TestParseLog(t *testing.T) {
	records, err := ParseLog(MakeLog(10))
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 10 {
		t.Fatalf("got %d records, want 10", len(records))
	}
	if records[1].Method != "POST" || records[1].Status != 300 {
		t.Fatalf("unexpected record %+v", records[1])
	}
}

func TestFib(t *testing.T) {
	if got := Fib(20); got != 6765 {
		t.Fatalf("Fib(20) = %d, want 6765", got)
	}
}

var sampleLog = MakeLog(2000)

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(sampleLog)))
	for i := 0; i < b.N; i++ {
		if _, err := ParseLog(sampleLog); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	for i := 0; i < b.N; i++ {
		HashChain(uint64(i), 500)
	}
}

func BenchmarkSort(b *testing.B) {
	base, err := ParseLog(sampleLog)
	if err != nil {
		b.Fatal(err)
	}
	records := make([]Record, len(base))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(records, base)
		SortRecords(records)
	}
}

func BenchmarkBuildTree(b *testing.B) {
	for i := 0; i < b.N; i++ {
		root := BuildTree(12, 1)
		if CountNodes(root) != 1<<12-1 {
			b.Fatal("wrong node count")
		}
	}
}

func BenchmarkFib(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Fib(22)
	}
	b.ReportMetric(float64(Fib(22)), "fib/op")
}

func BenchmarkPipeline(b *testing.B) {
	for _, size := range []int{100, 1000} {
		log := MakeLog(size)
		b.Run("lines="+strconv.Itoa(size), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				records, _ := ParseLog(log)
				SortRecords(records)
				HashChain(uint64(len(records)), 50)
			}
		})
	}
}
